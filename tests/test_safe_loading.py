"""Saved networks load in Keras' safe mode; a file carrying code is refused.

skae's networks use registered layers only (no ``Lambda``), so their
``.keras`` files load with ``safe_mode=True`` and no ``custom_objects``; the
same holds for the network inside a pickled estimator. A file whose model
carries a ``Lambda`` (arbitrary Python code) must be refused, both by
:func:`skae.load_model` and when unpickling an estimator.
"""

import copyreg
import json
import pickle

import numpy as np
import pytest

from skae import DenseAutoencoder, VariationalAutoencoder, load_model

N_ROWS = 300

# What Keras says when safe mode stops a Lambda: it names the layer and the
# way out ("Requested the deserialization of a `Lambda` layer whose
# `function` is a Python lambda ... pass `safe_mode=False` ...").
LAMBDA_REFUSAL = r"(?s)Lambda.*(safe_mode|unsafe|arbitrary code)"


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:N_ROWS]


@pytest.fixture(scope="module")
def estimators(X):
    return {
        "dense": DenseAutoencoder(4, hidden_layer_sizes=(16,), epochs=2,
                                  batch_size=64, random_state=0).fit(X),
        "vae": VariationalAutoencoder(2, hidden_layer_sizes=(8,), epochs=2,
                                      batch_size=64, random_state=0).fit(X),
    }


@pytest.fixture(scope="module")
def saved(tmp_path_factory, estimators):
    """The networks of both estimators written as .keras files."""
    folder = tmp_path_factory.mktemp("keras_files")
    paths = {}
    for name, est in estimators.items():
        paths[name] = folder / f"{name}.keras"
        est.model_.save(paths[name])
    return paths


@pytest.fixture(scope="module")
def tampered(tmp_path_factory, estimators):
    """A .keras file built from skae's dense encoder and decoder with a
    ``Lambda`` between them: the same layer names as skae's own model, so
    nothing but the Lambda tells it apart."""
    import keras

    est = estimators["dense"]
    inputs = keras.Input(shape=(est.n_features_in_,), name="input")
    codes = est.encoder_(inputs)
    doubled = keras.layers.Lambda(lambda z: z * 2.0, name="doubled")(codes)
    model = keras.Model(inputs, est.decoder_(doubled), name="denseautoencoder")
    path = tmp_path_factory.mktemp("tampered") / "tampered.keras"
    model.save(path)
    return path


def _forged_pickle(est, model_bytes):
    """The pickle of ``est`` with its network's bytes replaced: what a
    malicious file would hold (``__setstate__`` receives the forged state)."""
    state = est.__getstate__()
    assert isinstance(state["model_"], bytes)  # the .keras file's bytes
    state = dict(state, model_=model_bytes)

    class Forged:
        def __reduce_ex__(self, protocol):
            return copyreg._reconstructor, (type(est), object, None), state

    return pickle.dumps(Forged())


def test_saved_networks_load_safely_in_a_fresh_process(run_python, tmp_path, X,
                                                       estimators, saved):
    """In a process that has imported skae and nothing else, both networks
    (the VAE's with its Sampling and KLDivergenceLoss layers) load with
    ``skae.load_model`` and then with plain ``keras.saving.load_model``, both
    in the default safe mode, without custom_objects; predictions match.
    Plain Keras before any skae loading is refused, as the user guide says:
    ``import skae`` does not import Keras, so it cannot register its layers.
    """
    np.save(tmp_path / "X.npy", X)
    code = """
        import json, sys
        import numpy as np
        import skae

        assert "keras" not in sys.modules  # import skae stays cheap
        paths = json.loads(sys.argv[1])
        X = np.load(sys.argv[2])
        import keras

        out = {}
        # Before skae registered its layers (the user guide says so: import
        # skae alone does not import Keras, so cannot register them).
        try:
            keras.saving.load_model(paths["dense"])
            out["plain_first"] = "loaded"
        except Exception as exc:
            out["plain_first"] = f"{type(exc).__name__}: {exc}"
        for name, path in paths.items():
            via_skae = skae.load_model(path)
            plain = keras.saving.load_model(path)  # safe_mode defaults to True
            np.save(sys.argv[3] + f"/{name}_skae.npy", via_skae.predict_on_batch(X))
            np.save(sys.argv[3] + f"/{name}_plain.npy", plain.predict_on_batch(X))
            out[name] = sorted({type(layer).__name__ for layer in
                                plain._flatten_layers()})
        print(json.dumps(out))
        """
    # The tests' own backend (TensorFlow): run_python leaves KERAS_BACKEND unset.
    paths = json.dumps({name: str(path) for name, path in saved.items()})
    out = run_python(code, paths, str(tmp_path / "X.npy"), str(tmp_path))

    # Plain Keras first: refused, naming skae's unregistered layer.
    assert out["plain_first"] != "loaded"
    assert "ClippedGaussianNoise" in out["plain_first"], out["plain_first"][:500]
    assert {"Sampling", "KLDivergenceLoss"} <= set(out["vae"])
    assert "Lambda" not in set(out["vae"]) | set(out["dense"])
    for name, est in estimators.items():
        expected = est.model_.predict_on_batch(X)
        for how in ("skae", "plain"):
            got = np.load(tmp_path / f"{name}_{how}.npy")
            # Same weights, same graph, same CPU kernels: only the thread
            # split of a sum could differ between processes.
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7,
                                       err_msg=f"{name} via {how}")


def test_tampered_file_is_refused_in_safe_mode(tampered):
    import keras

    with pytest.raises(ValueError, match=LAMBDA_REFUSAL):
        load_model(tampered)
    with pytest.raises(ValueError, match=LAMBDA_REFUSAL):
        keras.saving.load_model(tampered)


def test_tampered_file_loads_without_safe_mode(X, estimators, tampered):
    """The refusal is about the Lambda alone: with safe mode off the same
    file loads and runs its code (codes doubled before decoding), and safe
    mode is back on for the next load."""
    est = estimators["dense"]
    model = load_model(tampered, safe_mode=False)
    assert "Lambda" in {type(layer).__name__ for layer in model.layers}
    np.testing.assert_allclose(model.predict_on_batch(X[:20]),
                               est.inverse_transform(2.0 * est.transform(X[:20])),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=LAMBDA_REFUSAL):
        load_model(tampered)


def test_unpickling_refuses_a_tampered_network(X, estimators, saved, tampered):
    est = estimators["dense"]
    # The forgery itself is sound: with the genuine bytes it unpickles to a
    # working estimator.
    genuine = pickle.loads(_forged_pickle(est, saved["dense"].read_bytes()))
    np.testing.assert_array_equal(genuine.transform(X[:20]), est.transform(X[:20]))

    payload = _forged_pickle(est, tampered.read_bytes())
    with pytest.raises(ValueError, match=LAMBDA_REFUSAL):
        pickle.loads(payload)
