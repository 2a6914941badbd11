"""Training under a Keras/TensorFlow distribution, as the user guide shows.

skae builds and compiles its network inside ``fit``, so a
``tf.distribute`` strategy applies when ``fit`` runs inside its scope, and a
JAX ``keras.distribution`` applies when it is set before ``fit``. CI machines
have one CPU: the strategies run over that CPU, or over two logical devices
carved out of it in a subprocess (what several GPUs would be).
"""

import os
import pickle

import keras
import numpy as np
import pytest

from skae import DenseAutoencoder

N_ROWS = 600  # 10 batches of 64, the last one of 24 (even: JAX shards it in 2)


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:N_ROWS]


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="tf.distribute strategies drive the TensorFlow backend only; "
                    "JAX's data parallelism has its own test below "
                    "(test_fit_under_jax_data_parallel_distribution)")
def test_fit_inside_mirrored_strategy_scope_on_one_cpu(X):
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    params = {"n_components": 8, "epochs": 5, "batch_size": 64, "random_state": 0}
    with strategy.scope():
        ae = DenseAutoencoder(**params).fit(X)
    assert ae.model_.distribute_strategy is strategy  # built under the strategy
    loss = ae.history_["loss"]
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0]
    # The same training as without a strategy up to float32 rounding: the
    # strategy reduces the loss and gradients in another order, and Adam,
    # which divides each gradient by its own running scale, lets those
    # last-digit differences grow. Measured with the default ELU layers:
    # 2.8e-4 relative after the first epoch, at most 6.1e-3 over the five
    # (identical from run to run); another random_state differs by 2.5e-2
    # after the first epoch.
    reference = DenseAutoencoder(**params).fit(X).history_["loss"]
    np.testing.assert_allclose(loss[0], reference[0], rtol=2e-3)
    np.testing.assert_allclose(loss, reference, rtol=1.5e-2)

    codes = ae.transform(X[:50])  # outside the scope
    assert codes.shape == (50, 8) and np.all(np.isfinite(codes))
    clone = pickle.loads(pickle.dumps(ae))
    np.testing.assert_array_equal(clone.transform(X[:50]), codes)
    ae.set_params(warm_start=True, epochs=2).fit(X)  # continues, still mirrored
    assert ae.n_iter_ == 7 and ae.history_["loss"][-1] < loss[-1]


TF_TWO_REPLICAS = """
    import json, pickle
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import skae._base
    from skae import DenseAutoencoder, ParametricTSNE, VariationalAutoencoder
    from skae.datasets import load_digits_images

    X = load_digits_images()[0].reshape(-1, 64)[:600]
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    out = {"replicas": strategy.num_replicas_in_sync}
    # Make even these short fits ones for which skae would ask for XLA on a
    # single device (it does from _XLA_MIN_STEPS gradient steps on).
    xla_min_steps, skae._base._XLA_MIN_STEPS = skae._base._XLA_MIN_STEPS, 1
    with strategy.scope():
        # 10 batches: on one device, several training steps per call.
        ae = DenseAutoencoder(8, epochs=5, batch_size=64, random_state=0).fit(X)
        # Inference through Keras (not skae's NumPy path for dense stacks).
        vae = VariationalAutoencoder(2, hidden_layer_sizes=(8,), epochs=2,
                                     batch_size=64, random_state=0).fit(X)
    skae._base._XLA_MIN_STEPS = xla_min_steps
    tsne_kw = dict(hidden_layer_sizes=(64,), epochs=5, batch_size=64,
                   perplexity=10, random_state=0)
    with strategy.scope():
        out["tsne_loss"] = ParametricTSNE(**tsne_kw).fit(X).history_["loss"]
        try:
            ParametricTSNE(**{**tsne_kw, "batch_size": 63}).fit(X)
        except ValueError as error:
            out["tsne_odd_batch"] = str(error)
    out["tsne_one_replica"] = ParametricTSNE(**tsne_kw).fit(X).history_["loss"]
    out["variable"] = type(ae.model_.weights[0].value).__name__
    out["loss"] = ae.history_["loss"]
    out["vae_loss"] = vae.history_["loss"]
    codes = ae.transform(X)
    clone = pickle.loads(pickle.dumps(ae))  # loads on one device
    out["pickle_equal"] = bool(np.array_equal(clone.transform(X), codes))
    vae_codes = vae.transform(X[:7])  # 7 rows: split unevenly in two
    vae_clone = pickle.loads(pickle.dumps(vae))
    out["vae_codes_shape"] = list(vae_codes.shape)
    out["vae_codes"] = vae_codes.tolist()
    out["vae_clone_codes"] = vae_clone.transform(X[:7]).tolist()
    out["vae_score_finite"] = bool(np.isfinite(vae.score(X[:7])))
    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():  # one replica
        one = DenseAutoencoder(8, epochs=5, batch_size=64, random_state=0).fit(X)
    out["one_replica"] = one.history_["loss"]
    print(json.dumps(out))
"""


def test_fit_under_mirrored_strategy_on_two_logical_cpus(run_python):
    """Two replicas, each taking half of every batch: what MirroredStrategy
    does with two GPUs, on CPU."""
    out = run_python(TF_TWO_REPLICAS)
    assert out["replicas"] == 2
    assert out["variable"] == "MirroredVariable"
    for key in ("loss", "vae_loss"):
        assert np.all(np.isfinite(out[key])) and out[key][-1] < out[key][0]
    # Half batches summed across two replicas: the same gradient steps as on
    # one replica, up to float32 rounding (measured: 1e-7 relative).
    np.testing.assert_allclose(out["loss"], out["one_replica"], rtol=1e-5)
    assert out["pickle_equal"]
    # The VAE's codes: one row per sample, as on one device (measured: equal).
    assert out["vae_codes_shape"] == [7, 2]
    np.testing.assert_allclose(out["vae_codes"], out["vae_clone_codes"],
                               rtol=1e-6, atol=1e-7)
    assert out["vae_score_finite"]
    # Each replica holds whole edges (head, tail, head, tail...), so the
    # t-SNE loss follows the one-replica fit's (measured: within 1.5 %; with
    # the heads on one replica and the tails on the other it stayed near 0).
    np.testing.assert_allclose(out["tsne_loss"], out["tsne_one_replica"], rtol=0.05)
    assert out["tsne_loss"][-1] < out["tsne_loss"][0] < -1.0
    assert "multiple of 2" in out["tsne_odd_batch"]


JAX_DATA_PARALLEL = """
    import json, pickle
    import numpy as np
    import keras

    devices = keras.distribution.list_devices()
    keras.distribution.set_distribution(
        keras.distribution.DataParallel(devices=devices))
    from skae import DenseAutoencoder
    from skae.datasets import load_digits_images

    X = load_digits_images()[0].reshape(-1, 64)[:600]
    ae = DenseAutoencoder(8, epochs=5, batch_size=64, random_state=0).fit(X)
    sharding = ae.model_.weights[0].value.sharding
    codes = ae.transform(X)
    clone = pickle.loads(pickle.dumps(ae))
    keras.distribution.set_distribution(None)
    reference = DenseAutoencoder(8, epochs=5, batch_size=64, random_state=0).fit(X)
    print(json.dumps({
        "backend": keras.backend.backend(),
        "devices": devices,
        "mesh_devices": int(sharding.mesh.devices.size),
        "loss": ae.history_["loss"],
        "reference": reference.history_["loss"],
        "codes_shape": list(codes.shape),
        "codes_finite": bool(np.all(np.isfinite(codes))),
        "pickle_equal": bool(np.array_equal(clone.transform(X), codes)),
    }))
"""


def test_fit_under_jax_data_parallel_distribution(run_python):
    """``keras.distribution.DataParallel`` over the CPU, split into two
    devices (``--xla_force_host_platform_device_count=2``)."""
    xla_flags = (os.environ.get("XLA_FLAGS", "")
                 + " --xla_force_host_platform_device_count=2").strip()
    out = run_python(JAX_DATA_PARALLEL, KERAS_BACKEND="jax", XLA_FLAGS=xla_flags)
    assert out["backend"] == "jax"
    assert len(out["devices"]) == 2 and out["mesh_devices"] == 2
    loss = out["loss"]
    assert np.all(np.isfinite(loss)) and loss[-1] < loss[0]
    # Sharded batches, the gradient summed across devices: the same steps as
    # without a distribution up to float32 rounding (measured: 2e-7 relative).
    np.testing.assert_allclose(loss, out["reference"], rtol=1e-5)
    assert out["codes_shape"] == [N_ROWS, 8] and out["codes_finite"]
    assert out["pickle_equal"]
