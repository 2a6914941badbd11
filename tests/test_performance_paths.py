"""The fast paths behave exactly like Keras (timings live in bench/, not here)."""

import subprocess
import sys

import numpy as np
import pytest

from skae import DenseAutoencoder


def test_import_skae_loads_no_deep_learning_framework():
    code = (
        "import sys, skae; "
        "heavy = [m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    "params",
    [dict(n_components=8), dict(n_components=8, hidden_layer_sizes=(32, 16),
                                activation="tanh", code_activation="linear")],
)
def test_numpy_inference_matches_keras(digits, params):
    X, _ = digits
    ae = DenseAutoencoder(**params, epochs=2, random_state=0).fit(X)
    np.testing.assert_allclose(ae.transform(X), ae.encoder_.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ae.reconstruct(X), ae.model_.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)
    codes = ae.transform(X)
    np.testing.assert_allclose(ae.inverse_transform(codes),
                               ae.decoder_.predict(codes, verbose=0), rtol=1e-5, atol=1e-5)


def test_one_row_transform_equals_batch_row(digits):
    X, _ = digits
    ae = DenseAutoencoder(8, epochs=2, random_state=0).fit(X)
    batch = ae.transform(X[:50])
    for i in (0, 17, 49):
        np.testing.assert_allclose(ae.transform(X[i : i + 1])[0], batch[i], rtol=1e-5, atol=1e-6)


def test_fast_path_follows_warm_start_updates(digits):
    X, _ = digits
    ae = DenseAutoencoder(8, epochs=1, warm_start=True, random_state=0).fit(X)
    before = ae.transform(X[:5])
    ae.fit(X)
    after = ae.transform(X[:5])
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, ae.encoder_.predict(X[:5], verbose=0), atol=1e-5)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_numpy_inference_of_layer_normalised_stacks_matches_keras(digits, activation):
    from skae import ParametricTSNE
    from skae._fastpath import compile_dense_stack

    X, _ = digits
    tsne = ParametricTSNE(hidden_layer_sizes=(32, 16), activation=activation,
                          epochs=2, random_state=0).fit(X)
    kinds = [type(layer).__name__ for layer in tsne.encoder_.layers]
    assert "LayerNormalization" in kinds and "Activation" in kinds
    forward = compile_dense_stack(tsne.encoder_)
    assert forward is not None  # the NumPy path, not Keras' predict
    np.testing.assert_allclose(forward(X.astype("float32")),
                               tsne.encoder_.predict(X, verbose=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(tsne.transform(X), forward(X.astype("float32")))


XLA_CODE = """
    import json, skae._base
    from sklearn.datasets import load_digits
    from skae import DenseAutoencoder

    X = load_digits().data[:200] / 16.0
    skae._base._XLA_MIN_STEPS = 1  # any fit is long enough for XLA
    plain = DenseAutoencoder(4, epochs=1, random_state=0).fit(X)
    noisy = DenseAutoencoder(4, noise_factor=0.2, epochs=1, random_state=0).fit(X)
    print(json.dumps([plain.model_.jit_compile, noisy.model_.jit_compile]))
"""


def test_training_noise_keeps_tensorflows_own_kernels(run_python):
    # The choice of XLA is TensorFlow's, so the check runs on that backend.
    assert run_python(XLA_CODE, KERAS_BACKEND="tensorflow") == [True, False]


TRACED_VARIABLES_CODE = """
import json
import tensorflow as tf
from sklearn.datasets import load_digits
from skae import DenseAutoencoder, SequenceAutoencoder

X = load_digits().data[:200] / 16.0
traced = []

def creator(next_creator, **kwargs):
    if tf.inside_function():
        traced.append(kwargs.get("name"))
    return next_creator(**kwargs)

with tf.variable_creator_scope(creator):
    DenseAutoencoder(4, epochs=1, random_state=0).fit(X)
    SequenceAutoencoder(n_components=2, epochs=1, random_state=0).fit(X[:, :16])
print(json.dumps(traced))
"""


def test_training_step_creates_no_variables_while_traced(run_python):
    # A variable created inside the traced step makes TensorFlow trace the
    # step twice (the optimizer's, when Keras builds it lazily): skae builds
    # it first, so a fit traces its step once.
    assert run_python(TRACED_VARIABLES_CODE, KERAS_BACKEND="tensorflow") == []
