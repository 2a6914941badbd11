"""ConvAutoencoder: scikit-learn's checks, the tutorial's architectures, denoising."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae._conv import ConvAutoencoder

# ----------------------------------------------------------------------
# scikit-learn's estimator checks
# ----------------------------------------------------------------------
# The checks use flat data with 1 to 20 features. image_shape=None infers a
# square image when n_features is a perfect square (4 -> 2x2), a one-row image
# (a 1-D signal) otherwise, and refuses 1 feature with the message the checks
# expect. One downsampling layer, two filters, one epoch: the checks fit dozens
# of times. Both codes are checked: the tutorial's feature map (pooling) and a
# dense code of n_components values (strided convolutions, the default).
TUTORIAL = dict(n_components=None, pooling="max")
CHECKED = [
    ConvAutoencoder(image_shape=None, filters=(2,), epochs=1, batch_size=32,
                    **TUTORIAL),
    ConvAutoencoder(1, image_shape=None, filters=(2,), epochs=1, batch_size=32),
]


def expected_failed_checks(estimator):
    import keras

    if keras.backend.backend() == "torch":
        return {"check_methods_subset_invariance": (
            "PyTorch's CPU convolutions sum in an order that depends on the "
            "batch's size: an image's score can differ in the seventh digit")}
    return {}


@parametrize_with_checks(CHECKED, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ----------------------------------------------------------------------
# Architectures (built directly, no training)
# ----------------------------------------------------------------------
def _shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers[1:]]


def test_default_is_the_tutorial_conv_model():
    import keras

    from skae._nets.conv import build_conv_decoder, build_conv_encoder

    enc = build_conv_encoder((28, 28, 1), (16, 8, 8), (3, 3))
    dec = build_conv_decoder((4, 4, 8), (28, 28, 1), (16, 8, 8), (3, 3))
    assert _shapes(enc) == [(28, 28, 16), (14, 14, 16), (14, 14, 8), (7, 7, 8),
                            (7, 7, 8), (4, 4, 8)]
    # The tutorial's decoder, with its unpadded 16 -> 14 convolution.
    assert _shapes(dec) == [(4, 4, 8), (8, 8, 8), (8, 8, 8), (16, 16, 8),
                            (14, 14, 16), (28, 28, 16), (28, 28, 1)]
    assert [layer.padding for layer in dec.layers
            if isinstance(layer, keras.layers.Conv2D)] == ["same", "same", "valid", "same"]
    # Same parameter count as the tutorial's Keras model (4,385).
    assert enc.count_params() + dec.count_params() == 4385


def test_tutorial_denoiser_architecture():
    from skae._nets.conv import build_conv_decoder, build_conv_encoder

    enc = build_conv_encoder((28, 28, 1), (32, 32), (3, 3))
    dec = build_conv_decoder((7, 7, 32), (28, 28, 1), (32, 32), (3, 3))
    assert tuple(enc.outputs[0].shape[1:]) == (7, 7, 32)
    assert tuple(dec.outputs[0].shape[1:]) == (28, 28, 1)
    # Tutorial: 2 x (3*3*1*32 + 32) ... = 28,353 parameters in all.
    assert enc.count_params() + dec.count_params() == 28353


@pytest.mark.parametrize(
    "image_shape, filters, code, crop",
    [
        ((8, 8, 1), (16, 8), (2, 2, 8), False),
        ((32, 32, 3), (16, 8, 8), (4, 4, 8), False),
        ((30, 30, 1), (8, 8, 8), (4, 4, 8), True),
        ((7, 5, 2), (4, 4), (2, 2, 4), True),
        ((1, 10, 1), (4,), (1, 5, 4), False),
    ],
)
def test_decoder_lands_on_the_input_size(image_shape, filters, code, crop):
    from skae._nets.conv import build_conv_decoder, build_conv_encoder

    enc = build_conv_encoder(image_shape, filters, (3, 3))
    assert tuple(enc.outputs[0].shape[1:]) == code
    dec = build_conv_decoder(code, image_shape, filters, (3, 3))
    assert tuple(dec.outputs[0].shape[1:]) == image_shape
    assert any(layer.name == "decoder_crop" for layer in dec.layers) is crop


@pytest.mark.parametrize(
    "image_shape, filters, map_shape",
    [
        ((28, 28, 1), (32, 64), (7, 7, 64)),
        ((30, 30, 1), (8, 8, 8), (4, 4, 8)),
        ((7, 5, 2), (4, 4), (2, 2, 4)),
        ((1, 10, 1), (4,), (1, 5, 4)),
    ],
)
def test_strided_dense_code_lands_on_the_input_size(image_shape, filters, map_shape):
    import keras

    from skae._nets.conv import build_conv_decoder, build_conv_encoder

    enc = build_conv_encoder(image_shape, filters, (3, 3), pooling="stride",
                             n_components=5)
    assert tuple(enc.outputs[0].shape[1:]) == (5,)
    assert tuple(enc.get_layer("encoder_flatten").input.shape[1:]) == map_shape
    assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in enc.layers)
    dec = build_conv_decoder((5,), image_shape, filters, (3, 3), pooling="stride")
    assert tuple(dec.get_layer("decoder_reshape").output.shape[1:]) == map_shape
    assert tuple(dec.outputs[0].shape[1:]) == image_shape
    assert sum(isinstance(layer, keras.layers.Conv2DTranspose)
               for layer in dec.layers) == len(filters)


def test_defaults_beat_pca_on_held_out_digits(digits):
    """Only n_components set: a lower held-out error than PCA of that size."""
    from sklearn.decomposition import PCA

    X, _ = digits
    X_train, X_test = X[:1400], X[1400:]
    ae = ConvAutoencoder(8, random_state=0).fit(X_train)
    assert ae.sample_shape_ == (8, 8, 1)  # inferred from 64 features
    codes = ae.transform(X_test)
    assert codes.shape == (len(X_test), 8)
    ae_mse = np.mean((ae.inverse_transform(codes) - X_test) ** 2)
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert ae_mse < 0.8 * pca_mse, (ae_mse, pca_mse)


@pytest.mark.parametrize(
    "n_features, image_shape, widths",
    [
        (784, None, (32, 64, 128)),  # 28x28: 14, 7, 4
        (64, None, (32, 64)),  # 8x8: 4, 2 (a third block would leave 1x1)
        (16, None, (32,)),  # 4x4: 2
        (6, (1, 6), (32, 64)),  # a 1-D signal of 6 steps: 3, 2
    ],
)
def test_auto_filters_follow_the_image_size(n_features, image_shape, widths):
    import keras

    X = np.random.RandomState(0).rand(40, n_features).astype("float32")
    ae = ConvAutoencoder(4, image_shape=image_shape, epochs=1, random_state=0).fit(X)
    assert ae.get_params()["filters"] == "auto"
    convs = [layer.filters for layer in ae.encoder_.layers
             if isinstance(layer, keras.layers.Conv2D)]
    assert tuple(convs) == widths
    assert ae.inverse_transform(ae.transform(X)).shape == X.shape


# ----------------------------------------------------------------------
# Refusals
# ----------------------------------------------------------------------
def test_too_many_poolings_for_the_image_is_refused(digits):
    X, _ = digits
    ae = ConvAutoencoder(image_shape=(8, 8, 1), filters=(4, 4, 4, 4), epochs=1)
    with pytest.raises(ValueError, match=r"height 8 is too small for 4 pooling"):
        ae.fit(X[:20])
    with pytest.raises(NotFittedError):
        ae.transform(X[:2])


@pytest.mark.parametrize(
    "params, n_features, match",
    [
        ({"image_shape": (28, 28, 1)}, 64, r"784 values per image, but X has 64"),
        ({"image_shape": (8, 8, 3)}, 64, r"192 values per image"),
        ({"image_shape": (8, 0)}, 64, r"image_shape must be"),
        ({"image_shape": (8, 8, 1, 1)}, 64, r"image_shape must be"),
        ({"image_shape": None}, 1, r"1 feature\(s\)"),
        ({"image_shape": (8, 8), "kernel_size": (3,)}, 64, r"kernel_size must be"),
        ({"image_shape": (8, 8), "filters": ()}, 64, r"filters must"),
        ({"image_shape": (8, 8), "filters": (4, -1)}, 64, r"filters must"),
        ({"noise_factor": -0.5}, 784, r"noise_factor"),
        ({"pooling": "min"}, 784, r"pooling"),
        ({"image_shape": (8, 8), "n_components": 65}, 64,
         r"n_components=65 is larger than an image \(8, 8, 1\) of 64 values"),
        ({"image_shape": (8, 8), "n_components": 0}, 64, r"n_components"),
        ({"image_shape": (8, 8), "n_components": -3}, 64, r"n_components"),
    ],
)
def test_invalid_settings_raise_clear_errors(params, n_features, match):
    X = np.random.RandomState(0).rand(8, n_features).astype(np.float32)
    with pytest.raises(ValueError, match=match):
        ConvAutoencoder(epochs=1, **params).fit(X)


def test_image_layout_mismatch_is_refused(digits):
    X, _ = digits
    ae = ConvAutoencoder(image_shape=(8, 8, 1), filters=(4,), epochs=1)
    with pytest.raises(ValueError, match=r"expects \(8, 8, 1\)"):
        ae.fit(X[:20].reshape(20, 4, 16, 1))


# ----------------------------------------------------------------------
# Behaviour on the bundled 8x8 digits
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_ae(digits):
    X, _ = digits
    ae = ConvAutoencoder(image_shape=(8, 8, 1), filters=(16, 8), epochs=15,
                         batch_size=32, random_state=0)
    return ae.fit(X), X


def test_codes_shape_and_reconstruction_beats_mean_image(digits_ae):
    ae, X = digits_ae
    codes = ae.transform(X)
    assert codes.shape == (len(X), 32) and codes.dtype == np.float32
    assert ae.get_feature_names_out()[0] == "convautoencoder0"
    rec = ae.inverse_transform(codes)
    assert rec.shape == X.shape
    np.testing.assert_allclose(rec, ae.reconstruct(X), atol=1e-5)
    mse = np.mean((rec - X) ** 2)
    baseline = np.mean((X.mean(axis=0) - X) ** 2)
    assert mse < 0.5 * baseline, (mse, baseline)
    assert ae.loss_ == "binary_crossentropy"
    assert ae.history_["loss"][-1] < ae.history_["loss"][0]


def test_keras_file_reloads_in_safe_mode(digits_ae, tmp_path):
    import keras

    ae, X = digits_ae
    path = tmp_path / "conv.keras"
    ae.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    images = X[:50].reshape(50, 8, 8, 1)
    out = np.asarray(loaded.predict_on_batch(images)).reshape(50, -1)
    np.testing.assert_allclose(out, ae.reconstruct(X[:50]), rtol=0, atol=1e-6)
    codes = np.asarray(loaded.get_layer("encoder").predict_on_batch(images))
    np.testing.assert_allclose(codes.reshape(50, -1), ae.transform(X[:50]),
                               rtol=0, atol=1e-6)


def test_images_far_from_zero_are_centred_and_reload_in_safe_mode(digits, tmp_path):
    """Images outside [0, 1] are read less their per-pixel training mean
    (``mean_``), added back to the reconstructions; the centring layers load
    from a ``.keras`` file in safe mode."""
    import keras

    X, _ = digits
    near_X = (X[:200] - 0.5) * 4  # outside [0, 1]: a linear output
    kw = dict(image_shape=(8, 8, 1), filters=(4,), epochs=2, random_state=0, **TUTORIAL)
    near = ConvAutoencoder(**kw).fit(near_X)
    far = ConvAutoencoder(**kw).fit(near_X + 100)
    assert far.mean_.shape == (8, 8, 1)
    codes = near.transform(near_X)
    np.testing.assert_allclose(far.transform(near_X + 100), codes,
                               atol=1e-3 * np.abs(codes).max())
    path = tmp_path / "far.keras"
    far.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    out = np.asarray(loaded.predict_on_batch((near_X[:20] + 100).reshape(20, 8, 8, 1)))
    np.testing.assert_allclose(out.reshape(20, -1), far.reconstruct(near_X[:20] + 100),
                               rtol=0, atol=1e-4)


def test_pickle_round_trip(digits_ae):
    ae, X = digits_ae
    again = pickle.loads(pickle.dumps(ae))
    np.testing.assert_allclose(again.transform(X[:20]), ae.transform(X[:20]),
                               rtol=0, atol=1e-6)


def test_image_input_gives_image_output(digits):
    X, _ = digits
    X4 = X[:200].reshape(200, 8, 8, 1)
    ae = ConvAutoencoder(image_shape=(8, 8, 1), filters=(4,), epochs=1,
                         random_state=0, **TUTORIAL).fit(X4)
    codes = ae.transform(X4)
    assert codes.shape == (200, 4 * 4 * 4)
    assert ae.inverse_transform(codes).shape == (200, 8, 8, 1)
    assert ae.reconstruct(X4).shape == (200, 8, 8, 1)
    # Flat rows are accepted too, and give the same codes.
    np.testing.assert_allclose(ae.transform(X[:200]), codes, atol=1e-6)

    # (n, h, w) grayscale images: a channel axis is added inside, and the
    # output keeps the (n, h, w) layout; image_shape=None infers (8, 8, 1).
    X3 = X[:200].reshape(200, 8, 8)
    ae3 = ConvAutoencoder(image_shape=None, filters=(4,), epochs=1,
                          random_state=0, **TUTORIAL).fit(X3)
    assert ae3.sample_shape_ == (8, 8, 1)
    assert ae3.reconstruct(X3).shape == (200, 8, 8)
    np.testing.assert_allclose(ae3.transform(X3), codes, atol=1e-6)


def test_image_shape_none_infers_from_4d_and_from_flat_data():
    rng = np.random.RandomState(0)
    X = rng.rand(16, 4, 6, 2).astype(np.float32)
    ae = ConvAutoencoder(image_shape=None, filters=(3,), epochs=1,
                         **TUTORIAL).fit(X)
    assert ae.sample_shape_ == (4, 6, 2)
    assert ae.code_shape_ == (2, 3, 3)  # the last feature map is the code
    assert ae.transform(X).shape == (16, 2 * 3 * 3)
    # Flat, not square: a one-row image (1-D convolutions over the features).
    ae.set_params(image_shape=None).fit(X.reshape(16, -1)[:, :10])
    assert ae.sample_shape_ == (1, 10, 1)
    assert ae.transform(X.reshape(16, -1)[:, :10]).shape == (16, 5 * 3)


def test_colour_32x32_images():
    X = np.random.RandomState(0).rand(8, 32 * 32 * 3).astype(np.float32)
    ae = ConvAutoencoder(image_shape=(32, 32, 3), filters=(16, 8, 8), epochs=1,
                         random_state=0, **TUTORIAL).fit(X)
    assert tuple(ae.encoder_.outputs[0].shape[1:]) == (4, 4, 8)
    assert tuple(ae.decoder_.outputs[0].shape[1:]) == (32, 32, 3)
    assert ae.transform(X).shape == (8, 128)
    assert ae.reconstruct(X).shape == X.shape
    # The default: strided convolutions to a 32-value dense code.
    ae = ConvAutoencoder(image_shape=(32, 32, 3), epochs=1, random_state=0).fit(X)
    assert ae.transform(X).shape == (8, 32)
    assert ae.reconstruct(X).shape == X.shape


def test_same_random_state_same_model(digits):
    X, _ = digits
    est = ConvAutoencoder(image_shape=(8, 8), filters=(4,), epochs=1,
                          noise_factor=0.3, random_state=42)
    a = clone(est).fit(X[:300]).transform(X[:20])
    b = clone(est).fit(X[:300]).transform(X[:20])
    np.testing.assert_array_equal(a, b)


# ----------------------------------------------------------------------
# Denoising
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_denoiser(digits):
    X, _ = digits
    den = ConvAutoencoder(image_shape=(8, 8, 1), filters=(32, 32), noise_factor=0.5,
                          epochs=30, random_state=0, **TUTORIAL)
    return den.fit(X[:1500]), X


def test_noise_is_added_in_training_only(digits_denoiser):
    import keras

    den, X = digits_denoiser
    images = X[1500:1600].reshape(100, 8, 8, 1)
    # Training mode adds noise; inference mode does not.
    train_out = keras.ops.convert_to_numpy(den.model_(images, training=True))
    infer_out = keras.ops.convert_to_numpy(den.model_(images, training=False))
    assert np.abs(train_out - infer_out).max() > 1e-3
    # transform / reconstruct are deterministic and noise-free.
    codes = den.transform(X[1500:1600])
    np.testing.assert_array_equal(codes, den.transform(X[1500:1600]))
    direct = keras.ops.convert_to_numpy(den.encoder_(images, training=False)).reshape(
        100, -1)
    np.testing.assert_allclose(codes, direct, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        den.reconstruct(X[1500:1600]), infer_out.reshape(100, -1), rtol=0, atol=1e-6
    )


def test_denoiser_beats_the_noisy_input(digits_denoiser):
    den, X = digits_denoiser
    clean = X[1500:]
    rng = np.random.RandomState(0)
    noisy = np.clip(clean + 0.5 * rng.normal(size=clean.shape), 0, 1).astype(np.float32)
    noisy_mse = np.mean((noisy - clean) ** 2)
    cleaned = den.reconstruct(noisy)
    assert cleaned.shape == clean.shape
    den_mse = np.mean((cleaned - clean) ** 2)
    assert den_mse < 0.6 * noisy_mse, (den_mse, noisy_mse)
