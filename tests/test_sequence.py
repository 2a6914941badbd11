"""Tests of SequenceAutoencoder: the tutorial's LSTM model (issue 4), the
bidirectional default and unequal-length collections (issue 17)."""

import copy

import numpy as np
import pytest
from aeon.datasets import load_classification
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae._sequence import SequenceAutoencoder


def make_sines(n, n_steps=24, seed=0, noise=0.05):
    """Noisy sums of two sines with random frequencies, amplitudes, phases."""
    rng = np.random.RandomState(seed)
    t = np.arange(n_steps) / n_steps
    freq = rng.uniform(1.0, 3.0, size=(n, 2, 1))
    amp = rng.uniform(0.5, 1.0, size=(n, 2, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 2, 1))
    waves = (amp * np.sin(2 * np.pi * freq * t + phase)).sum(axis=1)
    waves += noise * rng.randn(n, n_steps)
    return waves[:, :, None].astype(np.float32)


@pytest.fixture(scope="module")
def sines():
    return make_sines(400, seed=0), make_sines(100, seed=1)


@pytest.fixture(scope="module")
def fitted(sines):
    """A small bidirectional GRU autoencoder trained on 3-D sine waves."""
    X_train, _ = sines
    ae = SequenceAutoencoder(n_components=8, hidden_layer_sizes=(32,), epochs=40,
                             batch_size=32, learning_rate=5e-3, random_state=0)
    return ae.fit(X_train)


# ----------------------------------------------------------------------
# scikit-learn's estimator checks: 2-D check data is read as univariate series
# (sequence_shape=None -> (n_features, 1)).
# ----------------------------------------------------------------------
def expected_failed_checks(estimator):
    return {
        # Permuting the rows changes the results in the last float32 bit
        # (differences of ~6e-8 seen): the batched matrix products inside the
        # recurrent layers round differently depending on where a row sits in
        # the batch. The check asks for atol=1e-7 and no relative slack; codes
        # do agree to float tolerance, which test_code_does_not_depend_on_batch
        # asserts.
        "check_methods_sample_order_invariance": (
            "float32 rounding of batched recurrent matmuls depends on row "
            "position (differences ~6e-8); batch independence is tested to "
            "1e-6 in test_code_does_not_depend_on_batch"
        ),
    }


# One epoch and narrow layers: the checks fit dozens of times, and tracing
# the recurrent loops dominates the cost of each fit.
@parametrize_with_checks(
    [SequenceAutoencoder(n_components=2, hidden_layer_sizes=(8,), epochs=1,
                         batch_size=32)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ----------------------------------------------------------------------
# Learning
# ----------------------------------------------------------------------
def test_reconstructs_held_out_sines_better_than_mean_sequence(sines, fitted):
    X_train, X_test = sines
    recon = fitted.reconstruct(X_test)
    assert recon.shape == X_test.shape
    ae_mse = np.mean((recon - X_test) ** 2)
    baseline = np.mean((X_train.mean(axis=0, keepdims=True) - X_test) ** 2)
    assert fitted.loss_ == "mse"  # real-valued data: linear output
    assert ae_mse < 0.5 * baseline, (ae_mse, baseline)
    # The linear output reaches outside tanh's [-1, 1] where the data does.
    assert np.abs(X_test).max() > 1.2
    assert np.abs(recon).max() > 1.0


def test_code_does_not_depend_on_batch(sines, fitted):
    _, X_test = sines
    codes = fitted.transform(X_test)
    assert codes.shape == (len(X_test), 8)
    for i in (0, 17, len(X_test) - 1):
        np.testing.assert_allclose(fitted.transform(X_test[i : i + 1])[0],
                                   codes[i], rtol=1e-5, atol=1e-6)
    # Another batch around the same row gives the same code too.
    np.testing.assert_allclose(fitted.transform(X_test[10:30])[7], codes[17],
                               rtol=1e-5, atol=1e-6)


def test_three_d_in_three_d_out_and_flat_equivalent(sines, fitted):
    _, X_test = sines
    assert fitted.sample_shape_ == (24, 1)
    assert fitted.n_features_in_ == 24
    codes = fitted.transform(X_test[:5])
    assert fitted.inverse_transform(codes).shape == (5, 24, 1)
    assert fitted.reconstruct(X_test[:5]).shape == (5, 24, 1)
    # The flat layout of the same data gives the same codes.
    np.testing.assert_allclose(fitted.transform(X_test[:5].reshape(5, -1)), codes,
                               rtol=1e-5, atol=1e-6)


def test_flat_input_with_sequence_shape_multivariate():
    rng = np.random.RandomState(0)
    X3 = rng.rand(40, 5, 3).astype(np.float32)
    ae = SequenceAutoencoder(sequence_shape=(5, 3), n_components=4, epochs=1,
                             random_state=0)
    ae.fit(X3.reshape(40, -1))
    assert ae.sample_shape_ == (5, 3)
    assert ae.loss_ == "binary_crossentropy"  # data in [0, 1]
    out = ae.reconstruct(X3.reshape(40, -1))
    assert out.shape == (40, 15)  # flat in, flat out
    assert out.min() >= 0.0 and out.max() <= 1.0  # sigmoid output
    # The encoder reads (5, 3) sequences: 3-D input of that shape works too.
    np.testing.assert_allclose(ae.transform(X3), ae.transform(X3.reshape(40, -1)),
                               rtol=1e-5, atol=1e-6)


def test_flat_input_without_sequence_shape_is_univariate():
    X = np.random.RandomState(0).randn(30, 7)
    ae = SequenceAutoencoder(n_components=3, epochs=1, random_state=0).fit(X)
    assert ae.sample_shape_ == (7, 1)
    assert ae.model_.input_shape == (None, 7, 1)
    assert ae.transform(X).shape == (30, 3)
    assert ae.inverse_transform(ae.transform(X)).shape == (30, 7)


def test_tutorial_architecture_gru_and_stacked_layers():
    X = make_sines(60, n_steps=12, seed=3)
    gru = SequenceAutoencoder(n_components=4, architecture="tutorial", cell="gru",
                              hidden_layer_sizes=(6,), epochs=2,
                              random_state=0).fit(X)
    classes = {type(layer).__name__ for net in (gru.encoder_, gru.decoder_)
               for layer in net.layers}
    assert "GRU" in classes and "LSTM" not in classes
    enc_units = [layer.units for layer in gru.encoder_.layers
                 if type(layer).__name__ == "GRU"]
    dec_units = [layer.units for layer in gru.decoder_.layers
                 if type(layer).__name__ == "GRU"]
    assert enc_units == [6, 4] and dec_units == [6]
    assert gru.transform(X).shape == (60, 4)
    assert gru.reconstruct(X).shape == X.shape
    assert "RepeatVector" in [type(layer).__name__ for layer in gru.decoder_.layers]


def test_tutorial_model_is_one_parameter_set_away():
    X = make_sines(40, n_steps=10, seed=5)
    ae = SequenceAutoencoder(n_components=3, architecture="tutorial", cell="lstm",
                             hidden_layer_sizes=(), distance_weight=0,
                             learning_rate=1e-3, global_clipnorm=None, epochs=1,
                             batch_size=256).fit(X)
    assert [type(layer).__name__ for layer in ae.encoder_.layers] == [
        "InputLayer", "LSTM"]
    # The tutorial's plain Adam: no clipping.
    assert ae.model_.optimizer.global_clipnorm is None
    assert [type(layer).__name__ for layer in ae.decoder_.layers] == [
        "InputLayer", "RepeatVector", "LSTM", "Dense"]
    assert ae.encoder_.layers[-1].units == 3
    # Trained on the reconstruction alone, as the tutorial's model is.
    assert "DistancePreservation" not in {type(x).__name__ for x in ae.model_.layers}


def test_default_architecture_is_bidirectional_with_a_linear_code():
    X = make_sines(40, n_steps=10, seed=6)
    # The shift term: no map of the spectra (tested below with the spectrum term).
    ae = SequenceAutoencoder(n_components=3, epochs=1, distance_metric="shift",
                             random_state=0).fit(X)
    enc = {layer.name: type(layer).__name__ for layer in ae.encoder_.layers}
    dec = [type(layer).__name__ for layer in ae.decoder_.layers]
    assert enc == {"encoder_input": "InputLayer", "encoder_gru_0": "Bidirectional",
                   "code": "Dense", "resample": "Resample", "flat_steps": "Flatten",
                   "code_linear": "Dense", "code_sum": "Add"}
    assert dec == ["InputLayer", "Dense", "Reshape", "Bidirectional", "Dense"]
    bi = ae.encoder_.get_layer("encoder_gru_0")
    assert type(bi.forward_layer).__name__ == "GRU" and bi.forward_layer.units == 128
    # The two directions start from different weights.
    assert not np.allclose(bi.forward_layer.get_weights()[0],
                           bi.backward_layer.get_weights()[0])
    code = ae.encoder_.get_layer("code")
    assert code.units == 3 and code.activation.__name__ == "linear"
    # The code adds a linear map of the whole sequence (10 steps x 1 feature),
    # started at zero and moved by training.
    linear = ae.encoder_.get_layer("code_linear").get_weights()
    assert len(linear) == 1 and linear[0].shape == (10, 3) and np.abs(linear[0]).max() > 0
    import keras

    recurrent = keras.Model(ae.encoder_.input, ae.encoder_.get_layer("code").output)
    np.testing.assert_allclose(
        ae.transform(X),
        keras.ops.convert_to_numpy(recurrent(X.astype(np.float32)))
        + X.reshape(len(X), -1) @ linear[0],
        rtol=1e-4, atol=1e-5)
    term = ae.model_.get_layer("distance_preservation")
    assert term.weight == 1.0 and term.mask_value is None
    # The default clips each step's gradients to a global norm of 1.
    assert ae.model_.optimizer.global_clipnorm == 1.0


def test_global_clipnorm_applies_to_named_optimizers_only():
    import keras

    X = make_sines(40, n_steps=10, seed=6)
    fast = dict(n_components=2, hidden_layer_sizes=(4,), epochs=1, random_state=0)
    mine = keras.optimizers.Adam(1e-3)
    ae = SequenceAutoencoder(optimizer=mine, global_clipnorm=0.5, **fast).fit(X)
    assert ae.model_.optimizer.global_clipnorm is None  # the instance's own settings
    assert mine.global_clipnorm is None and ae.optimizer is mine
    ae = SequenceAutoencoder(optimizer="rmsprop", global_clipnorm=0.5, **fast).fit(X)
    assert ae.model_.optimizer.global_clipnorm == 0.5
    with pytest.raises(ValueError, match="global_clipnorm"):
        SequenceAutoencoder(global_clipnorm=0, **fast).fit(X)


def test_long_sequences_are_read_in_frames(tmp_path):
    """``max_recurrent_steps``: the recurrent layers loop over frames of
    consecutive steps, every value kept, and the decoder gives each step back."""
    import keras

    X = np.concatenate([make_sines(160, n_steps=50, seed=8),
                        make_sines(160, n_steps=50, seed=9)], axis=2)
    train, test = X[:120], X[120:]
    ae = SequenceAutoencoder(n_components=6, hidden_layer_sizes=(16,),
                             max_recurrent_steps=8, epochs=40, batch_size=32,
                             learning_rate=5e-3, random_state=0).fit(train)
    # 50 steps, at most 8 per loop: frames of 7 steps, 8 frames (6 steps of zeros).
    assert ae.encoder_.get_layer("encoder_gru_0").input.shape[1:] == (8, 14)
    assert ae.decoder_.get_layer("decoder_gru_0").output.shape[1] == 8
    framed = keras.Model(ae.encoder_.input, [ae.encoder_.get_layer("frame_padding").input,
                                             ae.encoder_.get_layer("frames").output])
    steps, frames = (keras.ops.convert_to_numpy(t) for t in framed(test))
    np.testing.assert_array_equal(frames.reshape(len(test), 56, 2)[:, :50], steps)
    assert not frames.reshape(len(test), 56, 2)[:, 50:].any()
    recon = ae.reconstruct(test)
    assert recon.shape == test.shape
    baseline = np.mean((train.mean(axis=0, keepdims=True) - test) ** 2)
    assert np.mean((recon - test) ** 2) < 0.5 * baseline
    path = tmp_path / "framed.keras"
    ae.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict_on_batch(test)), recon,
                               rtol=1e-5, atol=1e-5)
    # Unequal lengths (masked) and the tutorial's model read every step.
    seqs = [x[:n] for x, n in zip(train, range(20, 140))]
    for model, data in ((SequenceAutoencoder(n_components=2, hidden_layer_sizes=(4,),
                                             max_recurrent_steps=8, epochs=1), seqs),
                        (SequenceAutoencoder(n_components=2, architecture="tutorial",
                                             max_recurrent_steps=8, epochs=1), train)):
        names = [layer.name for layer in model.fit(data).encoder_.layers]
        assert "frames" not in names and "frame_padding" not in names


def test_same_seed_same_codes():
    X = make_sines(50, n_steps=10, seed=4)
    a = SequenceAutoencoder(n_components=3, epochs=2, random_state=7).fit(X)
    b = SequenceAutoencoder(n_components=3, epochs=2, random_state=7).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


# ----------------------------------------------------------------------
# Saving
# ----------------------------------------------------------------------
def test_keras_file_reloads_in_safe_mode(tmp_path, sines, fitted):
    import keras

    _, X_test = sines
    path = tmp_path / "sequence.keras"
    fitted.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict_on_batch(X_test)),
                               fitted.reconstruct(X_test), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        np.asarray(loaded.get_layer("encoder").predict_on_batch(X_test)),
        fitted.transform(X_test), rtol=1e-6, atol=1e-6)


def test_pickle_round_trip(sines, fitted):
    import pickle

    _, X_test = sines
    clone = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(clone.transform(X_test), fitted.transform(X_test),
                               rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------
# Variable-length sequences: padding with mask_value
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def masked():
    rng = np.random.RandomState(0)
    X = rng.rand(80, 10, 2).astype(np.float32)
    lengths = rng.randint(4, 11, size=80)
    for i, n in enumerate(lengths):
        X[i, n:] = -1.0  # post-padding
    ae = SequenceAutoencoder(n_components=4, mask_value=-1.0, noise_factor=0.1,
                             validation_fraction=0.2, epochs=3, random_state=0)
    return ae.fit(X), X, lengths


def test_masking_ignores_padding_in_loss_choice_and_training(masked):
    ae, X, _ = masked
    # Real values lie in [0, 1]: the padding value -1 does not switch to MSE.
    assert ae.loss_ == "binary_crossentropy"
    assert np.all(np.isfinite(ae.history_["loss"]))
    assert len(ae.history_["val_loss"]) == 3
    assert "masking" in [layer.name for layer in ae.encoder_.layers]


def test_masked_denoising_noise_reaches_the_linear_path(masked):
    """With masking, the training noise sits inside the encoder; the code's
    linear path gets it too, so that a denoising model never reads the clean
    sequence, and at inference the path is deterministic."""
    import keras

    ae, X, _ = masked
    linear = keras.Model(ae.encoder_.input, ae.encoder_.get_layer("code_linear").output)
    clean = keras.ops.convert_to_numpy(linear(X[:8], training=False))
    assert np.abs(clean).max() > 1e-4  # trained away from its zero start
    assert np.abs(keras.ops.convert_to_numpy(linear(X[:8], training=True))
                  - clean).max() > 1e-5
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(linear(X[:8], training=False)), clean)


def test_masking_code_ignores_padded_steps(masked):
    ae, X, lengths = masked
    # Moving the padding from the end to the start leaves the code unchanged:
    # the encoder skips padded steps.
    pre = np.full_like(X, -1.0)
    for i, n in enumerate(lengths):
        pre[i, 10 - n:] = X[i, :n]
    np.testing.assert_allclose(ae.transform(pre), ae.transform(X),
                               rtol=1e-5, atol=1e-5)
    # Whereas changing a real step changes it.
    other = X.copy()
    other[:, 0] = 0.5 * other[:, 0]
    assert not np.allclose(ae.transform(other), ae.transform(X), atol=1e-5)


def test_masking_score_uses_real_steps_only(masked):
    ae, X, lengths = masked
    R = np.clip(ae.reconstruct(X), 1e-7, 1 - 1e-7).astype(np.float64)
    expected = []
    for i, n in enumerate(lengths):
        x, r = X[i, :n].astype(np.float64), R[i, :n]
        expected.append(-np.mean(-(x * np.log(r) + (1 - x) * np.log(1 - r))))
    np.testing.assert_allclose(ae.score_samples(X), expected, rtol=1e-5)


def test_masking_all_padding_is_rejected():
    X = np.full((10, 4, 1), 3.0)
    with pytest.raises(ValueError, match="Every time step of X equals mask_value"):
        SequenceAutoencoder(mask_value=3.0, epochs=1).fit(X)


def test_masked_model_reloads_in_safe_mode(tmp_path, masked):
    import keras

    ae, X, _ = masked
    path = tmp_path / "masked.keras"
    ae.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict_on_batch(X)),
                               ae.reconstruct(X), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------------------
# Unequal-length collections: lists of sequences, aeon's layout
# ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def ragged():
    X = make_sines(120, n_steps=30, seed=3)
    lengths = np.random.RandomState(3).randint(8, 31, size=len(X))
    seqs = [x[:n] for x, n in zip(X, lengths)]
    ae = SequenceAutoencoder(n_components=4, hidden_layer_sizes=(16,), epochs=3,
                             random_state=0)
    return ae.fit(seqs), seqs


def test_list_of_unequal_sequences_round_trip(ragged):
    ae, seqs = ragged
    assert ae.sample_shape_ == (max(len(x) for x in seqs), 1)
    # Padding is chosen below the data and marks the padded steps.
    assert ae.mask_value_ < min(x.min() for x in seqs)
    assert "masking" in [layer.name for layer in ae.encoder_.layers]
    R = ae.reconstruct(seqs)
    assert isinstance(R, list)
    assert [r.shape for r in R] == [x.shape for x in seqs]
    codes = ae.transform(seqs)
    assert codes.shape == (len(seqs), 4)
    full = ae.inverse_transform(codes)  # codes carry no length: padded length
    assert full.shape == (len(seqs),) + ae.sample_shape_
    for r, f, x in zip(R, full, seqs):
        np.testing.assert_allclose(r, f[: len(x)], rtol=1e-5, atol=1e-5)


def test_collection_code_ignores_where_the_padding_sits(ragged):
    ae, seqs = ragged
    n_steps = ae.sample_shape_[0]
    pre = np.full((len(seqs), n_steps, 1), ae.mask_value_, np.float32)
    for i, x in enumerate(seqs):
        pre[i, n_steps - len(x):] = x
    np.testing.assert_allclose(ae.transform(pre), ae.transform(seqs),
                               rtol=1e-4, atol=1e-4)


def test_collection_score_is_over_each_sequences_own_steps(ragged):
    ae, seqs = ragged
    R = ae.reconstruct(seqs[:10])
    expected = [-np.mean((r.astype(np.float64) - x) ** 2) for r, x in zip(R, seqs)]
    np.testing.assert_allclose(ae.score_samples(seqs[:10]), expected, rtol=1e-5)


def test_sequence_shape_sets_the_padded_length():
    seqs = [make_sines(1, n_steps=n, seed=n)[0] for n in (6, 9, 12)]
    ae = SequenceAutoencoder(sequence_shape=(20, 1), n_components=2,
                             hidden_layer_sizes=(8,), epochs=1).fit(seqs)
    assert ae.sample_shape_ == (20, 1)
    longer = make_sines(1, n_steps=18, seed=1)[0]
    assert ae.reconstruct([longer])[0].shape == (18, 1)


def test_aeon_unequal_length_multivariate_collection():
    # aeon's layout: lists of (n_channels, n_timepoints_i); 12 channels, 7 to
    # 26 steps, 9 speakers.
    X, y = load_classification("JapaneseVowels", split="train")
    X_test, y_test = load_classification("JapaneseVowels", split="test")
    assert isinstance(X, list) and len({x.shape[1] for x in X}) > 1
    ae = SequenceAutoencoder(n_components=8, channel_axis=0, hidden_layer_sizes=(32,),
                             epochs=40, random_state=0).fit(X)
    assert ae.sample_shape_[1] == 12
    fits = [x for x in X_test if x.shape[1] <= ae.sample_shape_[0]][:5]
    R = ae.reconstruct(fits)
    assert [r.shape for r in R] == [x.shape for x in fits]
    # The codes are features: 1-NN on them is far above chance (1/9).
    knn = KNeighborsClassifier(1).fit(ae.transform(X), y)
    accuracy = knn.score(ae.transform(X_test), y_test)
    assert accuracy > 0.6, accuracy


def test_aeon_three_d_layout():
    X = make_sines(30, n_steps=12, seed=9).transpose(0, 2, 1)  # (n, channels, t)
    ae = SequenceAutoencoder(n_components=2, channel_axis=0, hidden_layer_sizes=(8,),
                             epochs=1, random_state=0).fit(X)
    assert ae.sample_shape_ == (12, 1)
    assert ae.reconstruct(X).shape == (30, 1, 12)
    assert ae.inverse_transform(ae.transform(X)).shape == (30, 1, 12)
    np.testing.assert_allclose(ae.transform(list(X)), ae.transform(X),
                               rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------
# distance_weight: codes whose distances rank neighbours as the series' do
# ----------------------------------------------------------------------
def _term(layer, x, codes, training=True):
    """The loss the layer adds on one call (None when it adds none)."""
    from keras import ops

    out = layer([ops.convert_to_tensor(x), ops.convert_to_tensor(codes)],
                training=training)
    np.testing.assert_array_equal(np.asarray(out), codes)  # codes pass unchanged
    return float(np.asarray(layer.losses[-1])) if layer.losses else None


def _normalised(z):
    """Pairwise Euclidean distances of the rows of ``z`` over their mean."""
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
    return d / d.mean()


def test_distance_preservation_term_matches_its_formula():
    from skae._nets.layers import DistancePreservation

    rng = np.random.RandomState(0)
    x = rng.randn(7, 5, 2).astype(np.float32)
    codes = rng.randn(7, 3).astype(np.float32)

    expected = 2.5 * np.mean((_normalised(codes) - _normalised(x.reshape(7, -1))) ** 2)
    assert expected > 0.05
    np.testing.assert_allclose(_term(DistancePreservation(2.5), x, codes), expected,
                               rtol=1e-4)
    # Free of scale: codes that are a scaled copy of the inputs cost nothing.
    assert _term(DistancePreservation(2.5), x, 3 * x.reshape(7, -1)) < 1e-5
    # Only in training.
    assert _term(DistancePreservation(2.5), x, codes, training=False) is None


def test_distance_preservation_compares_unequal_lengths_on_one_time_axis():
    """Padded sequences (at the end or at the start) count as each sequence
    resampled to the full length, as PCA of unequal-length series reads them."""
    from skae._nets.layers import DistancePreservation

    rng = np.random.RandomState(1)
    lengths = [3, 8, 5, 8, 6, 2]
    seqs = [rng.randn(n, 3).astype(np.float32) for n in lengths]
    padded = np.full((6, 8, 3), -9.0, dtype=np.float32)
    resampled = np.empty_like(padded)
    grid = np.linspace(0, 1, 8)
    for i, x in enumerate(seqs):
        if i % 2:
            padded[i, 8 - len(x):] = x
        else:
            padded[i, :len(x)] = x
        src = np.linspace(0, 1, len(x))
        resampled[i] = np.stack([np.interp(grid, src, c) for c in x.T], axis=1)
    codes = rng.randn(6, 4).astype(np.float32)
    layer = DistancePreservation(1.0, mask_value=-9.0)
    np.testing.assert_allclose(_term(layer, padded, codes),
                               _term(DistancePreservation(1.0), resampled, codes),
                               rtol=1e-4)  # float32 interpolation: 1.4e-5 on JAX
    clone = DistancePreservation.from_config(layer.get_config())
    assert (clone.weight, clone.mask_value) == (1.0, -9.0)
    with pytest.raises(ValueError, match="weight must be >= 0"):
        DistancePreservation(-1.0)


def test_distance_preservation_on_spectra_is_blind_to_when_patterns_happen():
    """``metric="spectrum"``: the inputs' distances are those between their
    magnitude spectra (``np.fft.rfft`` over time, per feature), so a circular
    shift of a series changes nothing, and codes that are the spectra cost
    nothing; with padding, the spectra of the resampled series, or with
    ``padded_spectra=True`` of each series' real steps extended with zeros
    to the full length, times that length over its own."""
    from skae._nets.layers import DistancePreservation

    rng = np.random.RandomState(3)
    x = rng.randn(7, 16, 2).astype(np.float32)
    codes = rng.randn(7, 3).astype(np.float32)
    spectra = np.abs(np.fft.rfft(x, axis=1)).reshape(7, -1)

    layer = DistancePreservation(2.0, metric="spectrum")
    expected = 2.0 * np.mean((_normalised(codes) - _normalised(spectra)) ** 2)
    np.testing.assert_allclose(_term(layer, x, codes), expected, rtol=1e-4)
    shifted = np.stack([np.roll(s, k, axis=0) for k, s in enumerate(x)])
    np.testing.assert_allclose(_term(layer, shifted, codes), expected, rtol=1e-4)
    assert _term(layer, x, 5 * spectra) < 1e-5
    # The Euclidean term sees the shifts.
    assert abs(_term(DistancePreservation(2.0), shifted, codes)
               - _term(DistancePreservation(2.0), x, codes)) > 1e-2
    padded = np.full((7, 20, 2), -9.0, dtype=np.float32)
    padded[:, :16] = x
    resampled = np.stack([np.stack([np.interp(np.linspace(0, 1, 20),
                                              np.linspace(0, 1, 16), c)
                                    for c in s.T], axis=1) for s in x])
    np.testing.assert_allclose(
        _term(DistancePreservation(2.0, mask_value=-9.0, metric="spectrum"),
              padded, codes),
        _term(layer, resampled.astype(np.float32), codes), rtol=1e-4)
    lengths = [16, 9, 12, 16, 5, 14, 20]
    padded = np.full((7, 20, 2), -9.0, dtype=np.float32)
    real = rng.randn(7, 20, 2).astype(np.float32)
    for i, n in enumerate(lengths):  # padding at the end or at the start
        padded[i, 20 - n:] = real[i, :n]
        if i % 2:
            padded[i] = np.roll(padded[i], n - 20, axis=0)
    zero_padded = np.abs(np.fft.rfft(
        [np.where(np.arange(20)[:, None] < n, r, 0.0) for r, n in zip(real, lengths)],
        axis=1)) * (20 / np.array(lengths))[:, None, None]
    expected = 2.0 * np.mean((_normalised(codes) - _normalised(zero_padded.reshape(7, -1)))
                             ** 2)
    np.testing.assert_allclose(
        _term(DistancePreservation(2.0, mask_value=-9.0, metric="spectrum",
                                   padded_spectra=True), padded, codes),
        expected, rtol=1e-4)
    clone = DistancePreservation.from_config(
        DistancePreservation(1.0, metric="spectrum", padded_spectra=True).get_config())
    assert (clone.metric, clone.padded_spectra) == ("spectrum", True)
    with pytest.raises(ValueError, match="metric must be"):
        DistancePreservation(1.0, metric="dtw")


@pytest.mark.parametrize("metric, shift_share",
                         [("shift+spectrum", 0.5), ("spectrum+shift", 0.25)])
def test_mixed_terms_weigh_the_two_distances_over_their_means(metric, shift_share):
    """``metric="shift+spectrum"`` and the spectrum-led ``"spectrum+shift"``:
    the inputs' distances are the shift distances over their mean times the
    metric's shift share plus the spectra's over theirs times the rest, the
    mix again over its mean; a circular shift of a series changes the term
    (the shift distance extends with zeros), unlike the spectrum term
    alone."""
    from keras import ops

    from skae._nets.layers import DistancePreservation, shift_distances

    rng = np.random.RandomState(4)
    x = rng.randn(6, 16, 2).astype(np.float32)
    codes = rng.randn(6, 3).astype(np.float32)

    def expected(x):
        shift = np.asarray(ops.convert_to_numpy(shift_distances(ops.convert_to_tensor(x))))
        spectra = _normalised(np.abs(np.fft.rfft(x, axis=1)).reshape(len(x), -1))
        both = shift_share * shift / shift.mean() + (1 - shift_share) * spectra
        return 1.5 * np.mean((_normalised(codes) - both / both.mean()) ** 2)

    layer = DistancePreservation(1.5, metric=metric)
    np.testing.assert_allclose(_term(layer, x, codes), expected(x), rtol=1e-4)
    rolled = np.stack([np.roll(s, 3 * k, axis=0) for k, s in enumerate(x)])
    np.testing.assert_allclose(_term(layer, rolled, codes), expected(rolled), rtol=1e-4)
    assert abs(expected(rolled) - expected(x)) > 1e-4
    spectrum = DistancePreservation(1.5, metric="spectrum")
    np.testing.assert_allclose(_term(spectrum, rolled, codes), _term(spectrum, x, codes),
                               rtol=1e-4)
    assert DistancePreservation.from_config(layer.get_config()).metric == metric
    # An offset in the values moves the term (zero extension, the constant
    # term of the spectra); ``offset``, subtracted first, takes it back out.
    assert abs(_term(layer, x + 4.0, codes) - expected(x)) > 1e-3
    centred = DistancePreservation(1.5, metric=metric, offset=4.0)
    np.testing.assert_allclose(_term(centred, x + 4.0, codes), expected(x), rtol=1e-4)
    assert DistancePreservation.from_config(centred.get_config()).offset == 4.0


def test_shift_distances_match_the_smallest_distance_over_shifts():
    """``metric="shift"``: each pair's distance is the smallest Euclidean
    distance over every shift of one series against the other, both extended
    with zeros (checked shift by shift), so a shifted copy is near."""
    from skae._nets.layers import DistancePreservation, shift_distances

    rng = np.random.RandomState(4)
    x = rng.randn(5, 7, 2).astype(np.float32)
    x[4] = 0.0
    x[4, 2:] = x[0, :5]  # the first series, two steps later and cut

    def brute(a, b):
        n = len(a)
        best = np.inf
        for shift in range(-n + 1, n):
            wide_a, wide_b = np.zeros((2, 3 * n, a.shape[1]))
            wide_a[n:2 * n] = a
            wide_b[n + shift:2 * n + shift] = b
            best = min(best, ((wide_a - wide_b) ** 2).sum())
        return np.sqrt(best)

    expected = np.array([[brute(a, b) for b in x] for a in x])
    got = np.asarray(shift_distances(x))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=2e-3)
    assert got[0, 4] < 0.6 * np.sqrt(((x[0] - x[4]) ** 2).sum())
    codes = rng.randn(5, 3).astype(np.float32)

    def normalised(d):
        return d / d.mean()

    z = codes
    d_codes = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1))
    np.testing.assert_allclose(
        _term(DistancePreservation(1.5, metric="shift"), x, codes),
        1.5 * np.mean((normalised(d_codes) - normalised(expected)) ** 2),
        rtol=1e-3)


def test_shift_term_compares_a_subset_of_a_large_batch_of_long_series():
    """The shift term's memory grows with batch ** 2 * 2T: a large batch of
    long series is compared on its first ``term_rows`` samples only (a random
    subset, batches being shuffled); the other metrics use every sample."""
    from skae._nets.layers import TERM_BUDGET, DistancePreservation, term_rows

    rng = np.random.RandomState(6)
    x = rng.randn(200, 1000, 1).astype(np.float32)
    codes = rng.randn(200, 4).astype(np.float32)
    rows = term_rows("shift", 1000)
    assert 16 <= rows < 200 and rows ** 2 * 2000 <= TERM_BUDGET
    assert term_rows("shift", 150) >= 64  # default batches: every sample
    full = _term(DistancePreservation(1.0, metric="shift"), x, codes)
    np.testing.assert_allclose(
        full, _term(DistancePreservation(1.0, metric="shift"), x[:rows], codes[:rows]),
        rtol=1e-5)
    assert abs(full - _term(DistancePreservation(1.0, metric="shift"),
                            x[:rows + 1], codes[:rows + 1])) < 1e-9
    euclid = _term(DistancePreservation(1.0), x, codes)
    assert abs(euclid - _term(DistancePreservation(1.0), x[:rows], codes[:rows])) > 1e-4


def test_resample_layer_puts_unequal_lengths_on_one_time_axis():
    """The default encoder's linear path reads each sequence's real steps
    resampled to the fitted length: padding anywhere is skipped, and the layer
    interpolates as ``np.interp`` does, to a shorter or a longer axis."""
    from skae._nets.layers import Resample

    rng = np.random.RandomState(2)
    lengths = [3, 8, 5, 11, 2]
    padded = np.full((5, 11, 2), -9.0, dtype=np.float32)
    for n_out in (6, 11, 15):
        expected = np.empty((5, n_out, 2), dtype=np.float32)
        grid = np.linspace(0, 1, n_out)
        for i, n in enumerate(lengths):
            x = rng.randn(n, 2).astype(np.float32)
            padded[i] = -9.0
            if i % 2:
                padded[i, 11 - n:] = x
            else:
                padded[i, :n] = x
            src = np.linspace(0, 1, n)
            expected[i] = np.stack([np.interp(grid, src, c) for c in x.T], axis=1)
        out = np.asarray(Resample(n_out, mask_value=-9.0)(padded))
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    # Without padding and at the same length it is the identity.
    np.testing.assert_array_equal(np.asarray(Resample(11)(padded)), padded)
    clone = Resample.from_config(Resample(7, mask_value=-9.0).get_config())
    assert (clone.n_steps, clone.mask_value) == (7, -9.0)


def test_distance_weight_makes_code_distances_follow_the_series():
    """GunPoint (aeon): the test series' code distances rank pairs as the
    default distance term's own distances between the series do (the
    smallest Euclidean distance over shifts in time), with the term at least
    twice as closely as without it, and 1-NN on the codes classifies within 7
    points of PCA's codes of the same size."""
    from scipy.spatial.distance import pdist, squareform
    from scipy.stats import spearmanr

    from skae._nets.layers import shift_distances

    X, y = load_classification("GunPoint", split="train")
    X_test, y_test = load_classification("GunPoint", split="test")
    flat = lambda Z: Z.reshape(len(Z), -1)  # noqa: E731
    pca = PCA(8).fit(flat(X))
    pca_accuracy = KNeighborsClassifier(1).fit(pca.transform(flat(X)), y).score(
        pca.transform(flat(X_test)), y_test)
    target = squareform(np.asarray(shift_distances(
        X_test.transpose(0, 2, 1).astype(np.float32))), checks=False)
    disagreement, accuracy = {}, {}
    for weight in (0.0, 1.0):
        ae = SequenceAutoencoder(n_components=8, channel_axis=0,
                                 hidden_layer_sizes=(32,), epochs=40,
                                 distance_weight=weight, random_state=0).fit(X)
        codes, codes_test = ae.transform(X), ae.transform(X_test)
        disagreement[weight] = 1 - spearmanr(pdist(codes_test), target).statistic
        accuracy[weight] = KNeighborsClassifier(1).fit(codes, y).score(codes_test,
                                                                       y_test)
    assert disagreement[1.0] < 0.5 * disagreement[0.0], disagreement
    assert min(accuracy.values()) > pca_accuracy - 0.07, (accuracy, pca_accuracy)


def test_spectrum_metric_makes_code_distances_follow_the_spectra():
    """BasicMotions (aeon, 6 channels): with ``distance_metric="spectrum"``
    the test series' code distances rank pairs as the distances between their
    magnitude spectra do, clearly more closely than with the Euclidean
    term."""
    from scipy.spatial.distance import pdist
    from scipy.stats import spearmanr

    X, y = load_classification("BasicMotions", split="train")
    X_test, _ = load_classification("BasicMotions", split="test")
    spectra = np.abs(np.fft.rfft(X_test, axis=-1)).reshape(len(X_test), -1)
    disagreement = {}
    for metric in ("euclidean", "spectrum"):
        ae = SequenceAutoencoder(n_components=8, channel_axis=0,
                                 hidden_layer_sizes=(32,), epochs=60,
                                 distance_weight=5.0, distance_metric=metric,
                                 random_state=0).fit(X)
        term = ae.model_.get_layer("distance_preservation")
        assert term.metric == metric
        disagreement[metric] = 1 - spearmanr(pdist(ae.transform(X_test)),
                                             pdist(spectra)).statistic
    assert disagreement["spectrum"] < 0.8 * disagreement["euclidean"], disagreement

def _waves(rng, n, n_steps):
    """Sines of two frequencies (the class) at random phases."""
    t = np.arange(n_steps)
    freq = rng.choice([2, 5], (n, 1))
    return np.sin(2 * np.pi * freq * t / n_steps + rng.uniform(0, 2 * np.pi, (n, 1)))


def test_auto_metric_follows_spectra_of_random_phase_waves_shifts_of_shapes():
    """``distance_metric="auto"`` (the default) reads the training series:
    waves of random phase (fixed-length, and as a list of unequal lengths)
    get the spectrum-led term, series whose bump's place carries the class
    get the shift term, and those bumps with a faint wave, whose contrast ratio
    falls between the two thresholds, get both; the built term follows the
    choice, and an explicit metric or ``distance_weight=0`` is kept as
    given."""
    from keras import ops

    from skae._nets.layers import (
        _INPUT_DISTANCES, SHIFT_CONTRAST, SPECTRUM_CONTRAST, nearest_contrast)

    rng = np.random.RandomState(0)
    fast = dict(n_components=2, hidden_layer_sizes=(4,), epochs=1, random_state=0)
    waves = _waves(rng, 60, 48)[:, :, None]
    ragged = [w[: rng.randint(30, 49)] for w in waves]
    t = np.arange(48)
    place = rng.choice([12, 30], (60, 1))
    bumps = (np.exp(-0.5 * ((t - place) / 3.0) ** 2) + 0.05 * rng.randn(60, 48))[:, :, None]
    # Bumps with a faint wave of random phase: the rule cannot tell, both.
    mixed = bumps + 0.15 * _waves(np.random.RandomState(1), 60, 48)[:, :, None]
    cases = ((waves, "spectrum+shift"), (ragged, "spectrum+shift"), (bumps, "shift"),
             (mixed, "shift+spectrum"))
    for X, expected in cases:
        ae = SequenceAutoencoder(**fast).fit(X)
        assert ae.distance_metric_ == expected
        assert ae.model_.get_layer("distance_preservation").metric == expected
        # The encoder reads the spectra only for a term on them.
        names = [layer.name for layer in ae.encoder_.layers]
        assert ("code_spectrum" in names) == (expected != "shift")
    x = np.asarray(mixed, dtype=np.float32)
    shift, spectrum = (nearest_contrast(np.asarray(ops.convert_to_numpy(
        _INPUT_DISTANCES[m][0](ops.convert_to_tensor(x), None)))) for m in ("shift", "spectrum"))
    assert SPECTRUM_CONTRAST <= spectrum / shift < SHIFT_CONTRAST
    assert SequenceAutoencoder(distance_metric="euclidean", **fast).fit(
        waves).distance_metric_ == "euclidean"
    ae = SequenceAutoencoder(distance_weight=0.0, **fast).fit(waves)
    assert ae.distance_metric_ is None
    assert "distance_preservation" not in [layer.name for layer in ae.model_.layers]


def test_padded_spectra_keep_each_rhythm_at_its_frequency(tmp_path):
    """The spectra of unequal-length sequences are taken over their real
    steps extended with zeros, times the full length over their own: a
    rhythm of period 4 peaks at the same frequency, with the same magnitude,
    in a sequence of 16 steps as in one of 32 (stretched over 32 steps, the
    short one would peak at half the frequency). The encoder's
    ``MagnitudeSpectrum`` reads them after ``Masking`` (the mask, not the
    values, tells the padding, so rescaled values are read), cuts longer
    sequences to its ``n_steps``, and saves to ``.keras``."""
    import keras
    from keras import ops

    from skae._nets.layers import MagnitudeSpectrum, padded_spectra

    x = np.zeros((2, 32, 1), np.float32)
    x[0, :16, 0] = np.sin(np.pi * np.arange(16) / 2)
    x[1, :, 0] = np.sin(np.pi * np.arange(32) / 2)
    real = np.arange(32)[None, :] < np.array([[16], [32]])
    spectra = ops.convert_to_numpy(padded_spectra(ops.convert_to_tensor(x),
                                                  ops.convert_to_tensor(real)))
    assert spectra.shape == (2, 1, 17)
    np.testing.assert_array_equal(spectra[:, 0].argmax(axis=1), [8, 8])
    np.testing.assert_allclose(spectra[:, 0].max(axis=1), [16.0, 16.0], rtol=1e-5)

    inputs = keras.Input((None, 2))
    masked = keras.layers.Masking(-9.0)(inputs)
    outputs = MagnitudeSpectrum(8)(keras.layers.Rescaling(2.0, offset=1.0)(masked))
    model = keras.Model(inputs, outputs)
    rng = np.random.RandomState(0)
    lengths = [4, 8, 10]
    seqs = np.full((3, 10, 2), -9.0, np.float32)
    for i, n in enumerate(lengths):
        seqs[i, :n] = rng.randn(n, 2)
    expected = [(np.abs(np.fft.rfft((2 * s[:n] + 1)[:8], n=8, axis=0)) * 8 / min(n, 8)).T
                for s, n in zip(seqs, lengths)]
    np.testing.assert_allclose(np.asarray(model(seqs)),
                               np.reshape(expected, (3, -1)), rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "spectra.keras")
    loaded = keras.saving.load_model(tmp_path / "spectra.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded(seqs)), np.asarray(model(seqs)))


def test_windows_get_padded_spectra_gestures_stretched_ones():
    """``padded_spectra_``: windows of unequal lengths cut from waves of two
    rhythms (one sampling rate) get spectra with zeros, which keep each
    rhythm's frequency, in the term and in the encoder; whole gestures made
    at different speeds (one slow bump or two, over each series' length)
    get stretched spectra; fixed-length series have no choice to make."""
    rng = np.random.RandomState(0)
    fast = dict(n_components=2, hidden_layer_sizes=(4,), epochs=1, random_state=0)
    t = np.arange(48)
    rhythm = rng.choice([0.1, 0.25], 40)
    lengths = rng.randint(24, 49, 40)
    windows = [np.sin(2 * np.pi * f * t[:n] + rng.uniform(0, 6))[:, None]
               for f, n in zip(rhythm, lengths)]
    gestures = [np.sin(np.pi * (1 + (f > 0.2)) * t[:n] / n)[:, None]
                + 0.05 * rng.randn(n, 1) for f, n in zip(rhythm, lengths)]
    for X, padded in ((windows, True), (gestures, False)):
        ae = SequenceAutoencoder(distance_metric="spectrum", **fast).fit(X)
        assert ae.padded_spectra_ is padded
        assert ae.model_.get_layer("distance_preservation").padded_spectra is padded
        # The encoder's spectra read the masked steps (n_steps set) or the
        # resampled ones.
        assert (ae.encoder_.get_layer("spectra").n_steps is not None) is padded
    fixed = SequenceAutoencoder(distance_metric="spectrum", **fast).fit(
        np.stack([w[:24] for w in windows]))
    assert fixed.padded_spectra_ is False
    assert SequenceAutoencoder(distance_metric="shift", **fast).fit(
        windows).padded_spectra_ is False


def test_spectrum_term_adds_a_linear_map_of_the_spectra_to_the_code(tmp_path):
    """With a term on the spectra (the waves get the spectrum-led
    ``"spectrum+shift"``) the encoder also reads the series' magnitude
    spectra: the code is the recurrent path plus linear maps of the resampled
    series and of their ``|rfft|``, both started at zero and moved by
    training; series of unequal lengths are read too, and the encoder saves
    to ``.keras`` and loads in safe mode."""
    import keras

    rng = np.random.RandomState(0)
    fast = dict(n_components=3, hidden_layer_sizes=(4,), epochs=2, random_state=0)
    waves = _waves(rng, 60, 48)[:, :, None].astype(np.float32)
    ae = SequenceAutoencoder(**fast).fit(waves)
    assert ae.distance_metric_ == "spectrum+shift"
    (linear,) = ae.encoder_.get_layer("code_linear").get_weights()
    (spectral,) = ae.encoder_.get_layer("code_spectrum").get_weights()
    assert spectral.shape == (25, 3) and np.abs(spectral).max() > 0
    recurrent = keras.Model(ae.encoder_.input, ae.encoder_.get_layer("code").output)
    spectra = np.abs(np.fft.rfft(waves[:, :, 0], axis=1))
    np.testing.assert_allclose(
        ae.transform(waves),
        keras.ops.convert_to_numpy(recurrent(waves))
        + waves[:, :, 0] @ linear + spectra @ spectral,
        rtol=1e-4, atol=1e-4)

    ragged = [w[: rng.randint(30, 49)] for w in waves]
    ae = SequenceAutoencoder(**fast).fit(ragged)
    assert "code_spectrum" in [layer.name for layer in ae.encoder_.layers]
    padded = np.full((len(ragged), 48, 1), ae.mask_value_, dtype=np.float32)
    for i, w in enumerate(ragged):
        padded[i, : len(w)] = w
    path = tmp_path / "encoder.keras"
    ae.encoder_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(np.asarray(loaded.predict_on_batch(padded)),
                               ae.transform(ragged), rtol=1e-5, atol=1e-5)


def test_series_in_large_units_are_standardised_and_weighed_to_match():
    """Series whose values vary more than unit variance: the network reads
    them standardised (``value_scale_``, real steps only) and answers in
    their units, and ``distance_weight="auto"`` is their variance (their
    standard deviation for a loss that grows linearly; 0.3 times either for
    the spectrum-led term, which these waves get), so that the same series in
    other units get the same codes; below unit variance nothing changes (no
    scaling, weight 1 times 0.3); an explicit weight is kept."""
    rng = np.random.RandomState(0)
    fast = dict(n_components=2, hidden_layer_sizes=(4,), epochs=3, random_state=0)
    waves = _waves(rng, 40, 32)[:, :, None]  # variance 0.5
    ae = SequenceAutoencoder(**fast).fit(waves)
    assert ae.distance_metric_ == "spectrum+shift"
    assert (ae.distance_weight_, ae.value_scale_) == (0.3, None)
    shift = SequenceAutoencoder(distance_metric="shift", **fast).fit(waves)
    assert shift.distance_weight_ == 1.0
    assert "standardize" not in [layer.name for layer in ae.model_.layers]
    ragged = [w[: rng.randint(16, 33)] for w in waves]
    codes = {}
    for scale in (2.0, 12.0):
        loud = [scale * w + 3.0 for w in ragged]  # the same series in other units
        values = np.concatenate(loud).astype(np.float64)
        ae = SequenceAutoencoder(**fast).fit(loud)
        assert ae.value_scale_ == pytest.approx((values.mean(), values.std()), rel=1e-5)
        assert ae.distance_weight_ == pytest.approx(0.3 * values.var(), rel=1e-5)
        term = ae.model_.get_layer("distance_preservation")
        assert term.weight == pytest.approx(0.3 * values.var(), rel=1e-5)
        centre = np.concatenate(ae.reconstruct(loud)).mean()
        assert abs(centre - 3.0) < 0.5 * values.std(), centre  # the data's units
        codes[scale] = ae.transform(loud)
    np.testing.assert_allclose(codes[12.0], codes[2.0],
                               atol=0.01 * np.abs(codes[2.0]).max())
    mae = SequenceAutoencoder(loss="mae", **fast).fit(loud)
    assert mae.distance_weight_ == pytest.approx(0.3 * values.std(), rel=1e-5)
    tutorial = SequenceAutoencoder(architecture="tutorial", **fast).fit(loud)
    assert tutorial.distance_weight_ == pytest.approx(values.var(), rel=1e-5)
    explicit = SequenceAutoencoder(distance_weight=2.0, **fast).fit(loud)
    assert explicit.distance_weight_ == 2.0


# ----------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------
@pytest.mark.parametrize("bad, match", [
    (lambda s: [s[0], np.hstack([s[1], s[1]])], "features per step"),
    (lambda s: [s[0], s[1][:0]], "0 time step"),
    (lambda s: [s[0], s[1][:1]], "1 time step"),
    (lambda s: [s[0], np.where(np.arange(len(s[1]))[:, None] == 2, np.nan, s[1])],
     "NaN"),
])
def test_bad_collections_are_refused_and_nothing_changes(ragged, bad, match):
    ae, seqs = ragged
    ae = copy.deepcopy(ae)
    before = ae.transform(seqs[:3])
    with pytest.raises(ValueError, match=match):
        ae.fit(bad(seqs))
    assert ae.sample_shape_ == (max(len(x) for x in seqs), 1)
    np.testing.assert_array_equal(ae.transform(seqs[:3]), before)


def test_collection_longer_than_fitted_or_unmasked(sines, fitted, ragged):
    ae, _ = ragged
    longer = make_sines(2, n_steps=ae.sample_shape_[0] + 6, seed=8)
    with pytest.raises(ValueError, match=f"more than the {ae.sample_shape_[0]}"):
        ae.reconstruct(list(longer))
    # The encoder reads any length: a longer sequence gets a code, and its
    # first steps alone another one.
    codes = ae.transform(list(longer))
    assert codes.shape == (2, 4) and np.all(np.isfinite(codes))
    assert not np.allclose(codes, ae.transform([x[:20] for x in longer]), atol=1e-4)
    with pytest.raises(ValueError, match="fitted with 1"):
        ae.transform([np.zeros((5, 2))])
    # Fitted on 3-D arrays of 24 steps: no masking, so no other length.
    _, X_test = sines
    with pytest.raises(ValueError, match="sequences of one length, 24 steps"):
        fitted.transform([X_test[0][:20], X_test[1]])
def test_sequence_shape_not_matching_flat_data():
    X = np.random.RandomState(0).rand(20, 12)
    with pytest.raises(ValueError, match=r"sequence_shape=\(5, 3\) holds 15 values"):
        SequenceAutoencoder(sequence_shape=(5, 3), epochs=1).fit(X)


def test_sequence_shape_not_matching_3d_data():
    X = np.random.RandomState(0).rand(20, 4, 3)
    with pytest.raises(ValueError, match=r"per-sample shape \(4, 3\).*\(3, 4\)"):
        SequenceAutoencoder(sequence_shape=(3, 4), epochs=1).fit(X)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (0, 3), (2.5, 2), "ab"])
def test_invalid_sequence_shape(shape):
    X = np.random.RandomState(0).rand(20, 6)
    with pytest.raises((ValueError, InvalidParameterError), match="sequence_shape"):
        SequenceAutoencoder(sequence_shape=shape, epochs=1).fit(X)


def test_wrong_shape_at_transform(sines, fitted):
    _, X_test = sines
    with pytest.raises(ValueError, match=r"per-sample shape \(12, 2\)"):
        fitted.transform(X_test.reshape(len(X_test), 12, 2))
    with pytest.raises(ValueError, match="expecting 24 features"):
        fitted.transform(X_test.reshape(len(X_test), -1)[:, :20])


def test_four_d_input_is_rejected():
    X = np.random.RandomState(0).rand(10, 4, 3, 2)
    with pytest.raises(ValueError, match="3-D array"):
        SequenceAutoencoder(epochs=1).fit(X)


def test_invalid_cell():
    with pytest.raises(InvalidParameterError, match="cell"):
        SequenceAutoencoder(cell="rnn", epochs=1).fit(np.random.rand(10, 4))
