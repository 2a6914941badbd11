"""ParametricTSNE: estimator checks, affinities, and behaviour on real digits."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import ParametricTSNE, load_model

# Tiny settings for the checks: they fit dozens of times on 10-30 samples.
# The default model (no decoder) only: each fit costs about a second of Keras
# set-up, and the decoder's methods are tested on digits below.
CHECKED = [
    ParametricTSNE(perplexity=2, hidden_layer_sizes=(8,), epochs=1, batch_size=16),
]


def expected_failed_checks(estimator):
    return {
        # As for DenseAutoencoder (tests/test_common_dense.py): float32 matrix
        # products may move a value by one ulp when the rows are reordered.
        "check_methods_sample_order_invariance": (
            "float32 results may differ by one ulp when rows are reordered"
        ),
    }


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def split():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return X[:1200], y[:1200], X[1200:], y[1200:]


# 8 epochs of 40 batches (8 per batch of samples): 320 gradient steps.
FAST = dict(hidden_layer_sizes=(128,), epochs=8, batch_size=256, random_state=0)


@pytest.fixture(scope="module")
def fitted(split):
    Xtr = split[0]
    return ParametricTSNE(**FAST).fit(Xtr)


def _knn(E, y):
    return cross_val_score(KNeighborsClassifier(5), E, y, cv=5).mean()


def test_map_of_held_out_digits_beats_pca(fitted, split):
    Xtr, _, Xte, yte = split
    E = fitted.transform(Xte)
    assert E.shape == (len(Xte), 2) and E.dtype == np.float32
    pca = PCA(2).fit(Xtr).transform(Xte)
    assert _knn(E, yte) > _knn(pca, yte) + 0.15
    assert trustworthiness(Xte, E, n_neighbors=10) > trustworthiness(Xte, pca, n_neighbors=10)


def test_data_far_from_zero_maps_as_well(fitted, split):
    """The map network reads values outside [0, 1] less their training mean
    (``mean_``): the digits plus 100 map about as well as the digits."""
    Xtr, _, Xte, yte = split
    far = ParametricTSNE(**FAST).fit(Xtr + 100)
    np.testing.assert_allclose(far.mean_, Xtr.mean(axis=0) + 100, atol=1e-3)
    assert fitted.mean_ is None  # data in [0, 1]: read as they are
    knn = _knn(far.transform(Xte + 100), yte)
    # These short fits (320 steps) move by several points with TensorFlow's
    # thread count; uncentred, the map of the digits plus 100 scored 0.35.
    assert knn > _knn(fitted.transform(Xte), yte) - 0.10
    assert knn > _knn(PCA(2).fit(Xtr).transform(Xte), yte) + 0.15


def test_embedding_is_the_map_of_the_fitted_samples(fitted, split):
    """``embedding_`` (scikit-learn's TSNE and UMAP keep one) is what
    ``transform`` gives for the training samples, and ``fit_transform``
    returns, as a DataFrame with ``set_output``."""
    Xtr = split[0]
    assert fitted.embedding_.shape == (len(Xtr), 2)
    np.testing.assert_allclose(fitted.embedding_, fitted.transform(Xtr),
                               rtol=1e-5, atol=1e-5)
    est = ParametricTSNE(hidden_layer_sizes=(16,), epochs=2, batch_size=64,
                         perplexity=10, validation_fraction=0.2, random_state=0)
    E = est.set_output(transform="pandas").fit_transform(Xtr[:300])
    assert isinstance(E, pd.DataFrame) and E.shape == (300, 2)
    np.testing.assert_array_equal(E.to_numpy(), est.embedding_)
    np.testing.assert_allclose(est.embedding_, est.transform(Xtr[:300]).to_numpy(),
                               rtol=1e-5, atol=1e-5)


def test_transform_is_deterministic_and_rowwise(fitted, split):
    Xte = split[2]
    a = fitted.transform(Xte)
    np.testing.assert_array_equal(a, fitted.transform(Xte))
    np.testing.assert_allclose(fitted.transform(Xte[:1]), a[:1], rtol=1e-5, atol=1e-5)


def test_fit_attributes(fitted):
    assert fitted.n_features_in_ == 64 and fitted.decoder_ is None
    assert fitted.loss_ == "none" and fitted.n_iter_ == FAST["epochs"]
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]
    assert list(fitted.get_feature_names_out()) == ["parametrictsne0", "parametrictsne1"]
    for name in ("inverse_transform", "reconstruct", "score", "score_samples"):
        assert not hasattr(fitted, name)
    with pytest.raises(AttributeError, match="inverse_transform") as info:
        fitted.inverse_transform(np.zeros((1, 2)))
    assert "reconstruction_weight > 0" in str(info.value.__cause__)


def test_layer_norm_and_weight_average_of_a_named_optimizer(fitted, split):
    import keras

    kinds = [type(layer).__name__ for layer in fitted.encoder_.layers]
    assert kinds.count("LayerNormalization") == len(FAST["hidden_layer_sizes"])
    assert fitted.model_.optimizer.use_ema  # "adam" by name: averaged weights
    plain = ParametricTSNE(hidden_layer_sizes=(16,), layer_norm=False, epochs=1,
                           batch_size=64, perplexity=10, random_state=0)
    plain.fit(split[0][:300])
    assert "LayerNormalization" not in [type(layer).__name__
                                        for layer in plain.encoder_.layers]
    mine = keras.optimizers.Adam(1e-3)  # an instance is the user's, as given
    own = clone(plain).set_params(optimizer=mine).fit(split[0][:300])
    assert not own.model_.optimizer.use_ema and not mine.use_ema


def test_fit_lowers_a_named_optimizers_rate_to_a_tenth_partial_fit_keeps_it(split):
    X = split[0][:300]
    kw = dict(hidden_layer_sizes=(16,), epochs=3, batch_size=64, perplexity=10,
              learning_rate=0.02, random_state=0)
    est = ParametricTSNE(**kw).fit(X)
    optimizer = est.model_.optimizer
    assert int(optimizer.iterations) == 3 * 40  # 8 per batch of samples
    assert float(optimizer.learning_rate) == pytest.approx(0.002, rel=1e-3)
    again = pickle.loads(pickle.dumps(est))  # the schedule travels with the network
    assert float(again.model_.optimizer.learning_rate) == pytest.approx(0.002, rel=1e-3)
    part = ParametricTSNE(**kw).partial_fit(X)
    assert float(part.model_.optimizer.learning_rate) == pytest.approx(0.02)


@pytest.mark.parametrize("n, batch_size, steps", [
    (100, 64, 20),  # 2 batches of samples: at least 20 steps
    (300, 64, 40),  # 5: eight times that, below 50
    (800, 64, 50),  # 13: at most 50 from the rule
    (1797, 32, 57),  # 57: one per batch of samples, above 50
])
def test_an_epoch_has_eight_times_the_batches_of_samples_within_20_to_50(n, batch_size, steps):
    X = (load_digits().data[:n] / 16.0).astype(np.float32)
    est = ParametricTSNE(hidden_layer_sizes=(8,), epochs=1, batch_size=batch_size,
                         perplexity=5, random_state=0).fit(X)
    assert int(est.model_.optimizer.iterations) == steps


def test_same_random_state_same_map(split):
    X = split[0][:300]
    kw = dict(hidden_layer_sizes=(16,), epochs=3, batch_size=64, perplexity=10)
    a = ParametricTSNE(random_state=3, **kw).fit_transform(X)
    b = ParametricTSNE(random_state=3, **kw).fit(X).transform(X)
    c = ParametricTSNE(random_state=4, **kw).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("roundtrip", ["pickle", "joblib"])
def test_roundtrips_keep_the_map(fitted, split, roundtrip, tmp_path):
    Xte = split[2]
    if roundtrip == "pickle":
        other = pickle.loads(pickle.dumps(fitted))
    else:
        joblib.dump(fitted, tmp_path / "m.joblib")
        other = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(other.transform(Xte), fitted.transform(Xte))
    assert other.decoder_ is None


def test_clone_and_safe_keras_file(fitted, split, tmp_path):
    assert clone(fitted).get_params() == fitted.get_params()
    assert not hasattr(clone(fitted), "model_")
    fitted.model_.save(tmp_path / "tsne.keras")
    model = load_model(tmp_path / "tsne.keras")  # safe mode, registered loss
    Xte = split[2][:50]
    np.testing.assert_allclose(model.predict(Xte, verbose=0), fitted.transform(Xte),
                               rtol=1e-4, atol=1e-4)


def test_decoder_draws_points_of_the_map(split):
    Xtr, _, Xte, _ = split
    est = ParametricTSNE(reconstruction_weight=1.0, **FAST).fit(Xtr)
    assert est.loss_ == "binary_crossentropy" and est.decoder_ is not None
    E = est.transform(Xte)
    R = est.inverse_transform(E)
    assert R.shape == Xte.shape and R.min() >= 0 and R.max() <= 1
    np.testing.assert_allclose(R, est.reconstruct(Xte), rtol=1e-5, atol=1e-5)
    mse = np.mean((Xte - R) ** 2)
    assert mse < 0.8 * np.mean((Xte - Xtr.mean(axis=0)) ** 2)
    assert est.score(Xte) == pytest.approx(est.score_samples(Xte).mean())
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.inverse_transform(E), R)


def test_failing_callback_rolls_back(fitted, split):
    import keras

    class Boom(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            raise RuntimeError("boom")

    before = fitted.transform(split[2])
    est = ParametricTSNE(**{**FAST, "epochs": 2}, callbacks=[Boom()])
    with pytest.raises(RuntimeError, match="boom"):
        est.fit(split[0])
    assert not hasattr(est, "model_")
    warm = pickle.loads(pickle.dumps(fitted))
    warm.set_params(warm_start=True, callbacks=[Boom()])
    with pytest.raises(RuntimeError, match="boom"):
        warm.fit(split[0])
    np.testing.assert_array_equal(warm.transform(split[2]), before)
    assert warm.n_iter_ == fitted.n_iter_


def test_set_output_pandas(fitted, split):
    Xte = pd.DataFrame(split[2][:5], columns=[f"px{i}" for i in range(64)])
    est = clone(fitted).set_params(epochs=1).fit(pd.DataFrame(split[0], columns=Xte.columns))
    out = est.set_output(transform="pandas").transform(Xte)
    assert list(out.columns) == ["parametrictsne0", "parametrictsne1"]
    assert list(out.index) == list(Xte.index)


def test_sparse_and_memmap_input_match_dense(split, tmp_path):
    # Jittered digits: no ties between neighbour distances, so the sparse
    # neighbour search finds the same neighbours as the dense one.
    rng = np.random.RandomState(0)
    X = np.clip(split[0][:400] + rng.uniform(0, 1e-2, (400, 64)), 0, 1).astype(np.float32)
    kw = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=64, perplexity=10,
              random_state=0)
    dense = ParametricTSNE(**kw).fit(X)
    sparse = ParametricTSNE(**kw).fit(sp.csr_matrix(X))
    path = tmp_path / "x.dat"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    mapped = ParametricTSNE(**kw).fit(np.memmap(path, dtype=np.float32, mode="r",
                                                shape=X.shape))
    ref = dense.transform(X)
    np.testing.assert_allclose(sparse.transform(sp.csr_matrix(X)), ref, atol=1e-4)
    np.testing.assert_allclose(mapped.transform(X), ref, atol=1e-4)


def test_validation_split_and_early_stopping(split):
    est = ParametricTSNE(**{**FAST, "epochs": 6}, validation_fraction=0.2,
                         early_stopping=True, n_iter_no_change=2).fit(split[0])
    assert len(est.history_["val_loss"]) == est.n_iter_ <= 6
    assert np.all(np.isfinite(est.history_["val_loss"]))


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"perplexity": 30}, np.random.RandomState(0).rand(20, 4), "perplexity=30"),
        ({"perplexity": 5}, np.random.RandomState(0).rand(5, 4), "less than"),
        ({"perplexity": 0}, np.random.RandomState(0).rand(20, 4), "perplexity"),
        ({"perplexity": -1.0}, np.random.RandomState(0).rand(20, 4), "perplexity"),
        ({"dof": 0}, np.random.RandomState(0).rand(20, 4), "dof"),
        ({"batch_size": 1}, np.random.RandomState(0).rand(20, 4), "batch_size"),
        ({}, np.random.RandomState(0).rand(1, 4), "1 sample"),
        ({}, np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 1.0]]), "NaN"),
        ({}, np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 1.0]]), "infinity"),
        ({"hidden_layer_sizes": (0,)}, np.random.RandomState(0).rand(20, 4),
         "hidden_layer_sizes"),
    ],
)
def test_bad_inputs_raise_clear_errors(params, X, match):
    est = ParametricTSNE(epochs=1, **params)
    with pytest.raises(ValueError, match=match):
        est.fit(X)
    assert not hasattr(est, "model_")


def test_wrong_feature_count_at_transform(fitted):
    with pytest.raises(ValueError, match="64 features"):
        fitted.transform(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(np.full((3, 64), np.nan))


def test_affinities_are_symmetric_calibrated_and_linear_in_size(split):
    from skae._nets.tsne import conditional_affinities, tsne_affinities

    X = split[0][:500]
    P = tsne_affinities(X, perplexity=10)
    assert sp.issparse(P) and P.nnz <= 2 * 500 * 30
    assert abs(P - P.T).max() < 1e-9 and P.sum() == pytest.approx(1.0, rel=1e-5)
    assert P.diagonal().sum() == 0
    d = np.sort(np.random.RandomState(0).rand(50, 30) * 10, axis=1)
    cond = conditional_affinities(d, perplexity=10).astype(np.float64)
    entropy = -(cond * np.log(np.maximum(cond, 1e-300))).sum(axis=1)
    np.testing.assert_allclose(np.exp(entropy), 10, rtol=1e-3)
    np.testing.assert_allclose(cond.sum(axis=1), 1, rtol=1e-5)


def test_edge_batches_alternate_each_edges_head_and_tail(split):
    """A batch's rows are edge after edge, head then tail, so any split into
    equal even parts (a multi-device strategy's) holds whole edges."""
    from skae._nets.tsne import EdgeBatches, tsne_affinities

    P = tsne_affinities(split[0][:300], perplexity=10)
    ids = np.arange(300, dtype=np.float32)[:, None]  # each row is its index
    batches = EdgeBatches(ids, P, batch_size=64, steps=3, seed=0)
    for step in range(len(batches)):
        rows, factors = batches[step]
        heads, tails = rows[0::2, 0].astype(int), rows[1::2, 0].astype(int)
        assert len(heads) == 64 and factors.shape == (128, 1)
        assert np.all(np.asarray(P[heads, tails]).ravel() > 0)
    assert len(np.unique(heads)) > 32  # edges drawn across the data


def test_batch_loss_kernel_and_dof():
    """The batch loss equals its formula: attraction of the edges plus the
    log of the mean kernel over the pairs of one edge's head and another
    edge's tail, for t-SNE's Cauchy kernel (dof=1) and a heavier-tailed one."""
    from skae._nets.tsne import TSNEBatchLoss

    Y = np.random.RandomState(0).randn(8, 2).astype(np.float32)
    d2 = ((Y[:, None] - Y[None]) ** 2).sum(-1).astype(np.float64)
    cross = ~np.eye(4, dtype=bool)  # head e with tail f, e != f
    for dof in (1.0, 0.5):
        w = (1 + d2 / dof) ** -dof
        heads_tails = w[0::2, 1::2]  # the rows alternate: head, tail, ...
        expected = (-np.log(np.diag(heads_tails)).mean()
                    + np.log(heads_tails[cross].mean()))
        loss = TSNEBatchLoss(dof=dof)(np.ones((8, 1), np.float32), Y)
        assert float(loss) == pytest.approx(expected, abs=1e-5)
    restored = TSNEBatchLoss.from_config(TSNEBatchLoss(dof=0.5).get_config())
    assert restored.dof == 0.5
    with pytest.raises(ValueError, match="dof"):
        TSNEBatchLoss(dof=0.0)


def test_map_plot_coloured_by_label(fitted, split):
    import matplotlib

    matplotlib.use("Agg")
    from skae.plotting import LatentSpaceDisplay

    Xte, yte = split[2][:100], split[3][:100]
    disp = LatentSpaceDisplay.from_estimator(fitted, Xte, yte, title="map")
    np.testing.assert_allclose(disp.scatter_.get_offsets(), fitted.transform(Xte),
                               rtol=1e-5)
    assert [t.get_text() for t in disp.legend_.get_texts()] == [
        str(c) for c in np.unique(yte)]
    import matplotlib.pyplot as plt

    plt.close(disp.figure_)


def test_input_noise_trains_through_a_noise_layer_transform_stays_clean(split):
    Xtr, _, Xte, _ = split
    kw = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=64, perplexity=10,
              random_state=0)
    noisy = ParametricTSNE(noise_factor=0.2, **kw).fit(Xtr[:300])
    plain = ParametricTSNE(**kw).fit(Xtr[:300])
    kinds = [type(layer).__name__ for layer in noisy.model_.layers]
    assert "ClippedGaussianNoise" in kinds
    assert "ClippedGaussianNoise" not in [type(layer).__name__
                                          for layer in plain.model_.layers]
    assert noisy.model_.get_layer("noise").clip_max == 1.0  # the data's range
    E = noisy.transform(Xte)  # inference never adds noise
    np.testing.assert_array_equal(E, noisy.transform(Xte))
    np.testing.assert_allclose(E, noisy.encoder_.predict(Xte, verbose=0),
                               rtol=1e-4, atol=1e-4)
    assert not np.allclose(E, plain.transform(Xte))
