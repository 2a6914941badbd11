"""scikit-learn's estimator checks over DenseAutoencoder (simple, sparse, deep)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import DenseAutoencoder

# Small, fast settings: the checks fit dozens of times on tiny data.
ESTIMATORS = [
    DenseAutoencoder(n_components=2, epochs=3, batch_size=32),
    DenseAutoencoder(n_components=2, activity_l1=1e-4, epochs=3, batch_size=32),
    DenseAutoencoder(n_components=2, hidden_layer_sizes=(8, 4), epochs=3, batch_size=32),
]


def expected_failed_checks(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
