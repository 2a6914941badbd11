"""Exact reproducibility with ``random_state`` on the JAX backend, and the
binary cross-entropy that fits compile on PyTorch.

The rest of the suite runs on TensorFlow; the backend is fixed per process,
so JAX runs in a subprocess.
"""

import numpy as np

CODE = """
    import json, numpy as np, keras
    from sklearn.datasets import load_digits
    from skae import ConvAutoencoder, DenseAutoencoder, VariationalAutoencoder

    X = load_digits().data[:400] / 16.0
    makers = {
        "dense": lambda seed: DenseAutoencoder(
            8, hidden_layer_sizes=(32,), epochs=3, batch_size=64,
            noise_factor=0.1, validation_fraction=0.1, random_state=seed),
        "conv": lambda seed: ConvAutoencoder(
            image_shape=(8, 8, 1), filters=(8, 4), epochs=2, batch_size=64,
            random_state=seed),
        "vae": lambda seed: VariationalAutoencoder(
            2, hidden_layer_sizes=(16,), epochs=3, batch_size=64,
            random_state=seed),
    }
    out = {"backend": keras.backend.backend()}
    for name, make in makers.items():
        a, b, c = make(0).fit(X), make(0).fit(X), make(1).fit(X)
        out[name] = {
            "same_codes": bool(np.array_equal(a.transform(X), b.transform(X))),
            "same_history": a.history_ == b.history_,
            "other_seed_differs": not np.array_equal(a.transform(X), c.transform(X)),
        }
        if name == "vae":
            out[name]["same_samples"] = bool(np.array_equal(
                a.sample(5, random_state=1), b.sample(5, random_state=1)))
    print(json.dumps(out))
"""


def test_same_random_state_gives_identical_models_on_jax(run_python):
    out = run_python(CODE, KERAS_BACKEND="jax")
    assert out.pop("backend") == "jax"
    assert set(out) == {"dense", "conv", "vae"}
    for name, checks in out.items():
        assert all(checks.values()), (name, checks)


WARM_CODE = """
    import json, numpy as np, keras
    from sklearn.datasets import load_digits
    from skae import ParametricTSNE

    X = (load_digits().data[:300] / 16.0).astype("float32")
    kw = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=64, perplexity=10,
              random_state=0)
    est = ParametricTSNE(**kw).fit(X)  # "adam" by name: averaged weights
    first = est.transform(X)
    est.set_params(warm_start=True).fit(X)
    chunks = ParametricTSNE(**kw)
    for part in np.array_split(X, 3):
        chunks.partial_fit(part)
    print(json.dumps({
        "backend": keras.backend.backend(),
        "ema": bool(est.model_.optimizer.use_ema),
        "steps": int(est.model_.optimizer.iterations),
        "moved": not np.allclose(first, est.transform(X)),
        "finite": bool(np.isfinite(est.transform(X)).all()
                       and np.isfinite(chunks.transform(X)).all()),
    }))
"""


def test_warm_start_and_partial_fit_continue_an_averaged_fit_on_jax(run_python):
    # Keras' weight average leaves each weight sharing its buffer with its
    # average on JAX; a second fit of the same network used to fail there.
    out = run_python(WARM_CODE, KERAS_BACKEND="jax")
    assert out == {"backend": "jax", "ema": True, "steps": 2 * 2 * 40,
                   "moved": True, "finite": True}


def test_cross_entropy_takes_any_target_and_lets_nan_through():
    """skae's binary cross-entropy in ``keras.ops``, which PyTorch fits
    compile: Keras' own there raises on a padded step's target (the mask
    value) and on the NaN predictions of a diverged network, which must read
    as a NaN loss so that the fit stops with skae's error and rolls back."""
    import keras

    from skae._nets.losses import binary_crossentropy, cross_entropy

    def loss(fn, y_true, y_pred):
        tensors = (keras.ops.convert_to_tensor(np.array([v], np.float32))
                   for v in (y_true, y_pred))
        return keras.ops.convert_to_numpy(fn(*tensors))

    y_true, y_pred = [-1.0, 0.0, 0.3, 1.0], [0.2, 0.6, 0.3, 1.0]
    p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    expected = -(np.multiply(y_true, np.log(p)) + np.subtract(1, y_true) * np.log(1 - p))
    np.testing.assert_allclose(loss(cross_entropy, y_true, y_pred), [expected],
                               rtol=1e-5, atol=1e-6)
    assert np.isnan(loss(cross_entropy, y_true, [np.nan] * 4)).all()
    # Averaged over the last axis, as Keras' loss, on targets in [0, 1].
    inside = [0.0, 0.5, 1.0, 0.25]
    np.testing.assert_allclose(loss(binary_crossentropy, inside, y_pred),
                               loss(keras.losses.binary_crossentropy, inside, y_pred),
                               rtol=1e-5)


WIDE_CODE = """
    import json, tracemalloc, numpy as np, scipy.sparse as sp
    from skae import DenseAutoencoder

    DenseAutoencoder(2, epochs=1).fit(np.random.RandomState(0).rand(20, 4))  # imports
    X = sp.random(2000, 50_000, density=0.001, format="csr", random_state=0,
                  dtype=np.float32)
    wide = DenseAutoencoder(16, hidden_layer_sizes=(), epochs=1, batch_size=256,
                            random_state=0)
    tracemalloc.start()
    wide.fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    narrow = DenseAutoencoder(4, epochs=1, batch_size=16, random_state=0)
    narrow.fit(np.random.RandomState(0).rand(2000, 64))
    print(json.dumps({"wide_steps": wide.model_.steps_per_execution,
                      "narrow_steps": narrow.model_.steps_per_execution,
                      "peak_batches": peak / (256 * 50_000 * 4)}))
"""


def test_wide_batches_are_not_held_many_at_a_time_on_jax(run_python):
    # JAX runs the steps of one call asynchronously and holds their batches:
    # eight of these 51 MB batches per call held 1.4 GB of a 20,000-row fit.
    # One step per call here; narrow rows keep 64.
    out = run_python(WIDE_CODE, KERAS_BACKEND="jax")
    assert out["wide_steps"] == 1 and out["narrow_steps"] == 64, out
    assert out["peak_batches"] < 4, out
