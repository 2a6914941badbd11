"""Behaviour of DenseAutoencoder and the shared base class on real data."""

import copy
import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import TSNE
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skae import DenseAutoencoder, load_model


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return DenseAutoencoder(16, hidden_layer_sizes=(64,), epochs=30, batch_size=64,
                            random_state=0).fit(X)


def test_fit_attributes_and_shapes(fitted, digits):
    X, _ = digits
    assert fitted.n_features_in_ == 64
    assert fitted.loss_ == "binary_crossentropy"  # data in [0, 1]
    assert fitted.data_range_ == (float(X.min()), float(X.max()))
    assert fitted.code_shape_ == (16,)
    assert len(fitted.history_["loss"]) == 30 == fitted.n_iter_
    assert fitted.history_["loss"][-1] < fitted.history_["loss"][0]
    codes = fitted.transform(X[:10])
    assert codes.shape == (10, 16) and codes.dtype == np.float32
    assert fitted.inverse_transform(codes).shape == (10, 64)
    assert fitted.encoder_.name == "encoder" and fitted.decoder_.name == "decoder"
    names = fitted.get_feature_names_out()
    assert list(names[:2]) == ["denseautoencoder0", "denseautoencoder1"]
    assert len(names) == 16


def test_reconstruction_beats_mean_and_matches_inverse(fitted, digits):
    X, _ = digits
    R = fitted.reconstruct(X)
    mse = np.mean((X - R) ** 2)
    baseline = np.mean((X - X.mean(axis=0)) ** 2)
    assert mse < 0.5 * baseline
    np.testing.assert_allclose(
        R, fitted.inverse_transform(fitted.transform(X)), atol=1e-5
    )


def test_score_is_minus_reconstruction_error(fitted, digits):
    X, _ = digits
    s = fitted.score_samples(X)
    assert s.shape == (len(X),) and np.all(s <= 0)
    assert fitted.score(X) == pytest.approx(s.mean())
    # Noise images are less typical than digits: lower scores.
    noise = np.random.RandomState(0).uniform(size=(50, 64)).astype(np.float32)
    assert fitted.score_samples(noise).mean() < s.mean()


def test_same_random_state_same_codes(digits):
    X, _ = digits
    a = DenseAutoencoder(8, epochs=3, random_state=42).fit(X).transform(X)
    b = DenseAutoencoder(8, epochs=3, random_state=42).fit(X).transform(X)
    c = DenseAutoencoder(8, epochs=3, random_state=7).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_loss_auto_and_linear_output_for_unbounded_data(digits):
    X, _ = digits
    Xs = StandardScaler().fit_transform(X)
    ae = DenseAutoencoder(16, epochs=10, random_state=0).fit(Xs)
    assert ae.loss_ == "huber"
    R = ae.reconstruct(Xs)
    assert R.min() < 0 or R.max() > 1  # linear output, not squeezed by sigmoid
    assert np.mean((Xs - R) ** 2) < np.mean(Xs**2)


def test_huber_score_is_the_huber_loss_keras_trains_on(digits, tmp_path):
    import keras

    X, _ = digits
    Xs = StandardScaler().fit_transform(X)[:300].astype(np.float32)
    ae = DenseAutoencoder(8, loss="huber", epochs=3, random_state=0).fit(Xs)
    R = ae.reconstruct(Xs)
    err = np.abs(Xs.astype(np.float64) - R)
    delta = ae.scale_  # one spread of these rows, in the data's units
    assert (err > delta).any() and (err <= delta).any()  # both branches are scored
    expected = keras.ops.convert_to_numpy(keras.losses.huber(Xs, R, delta=delta))
    np.testing.assert_allclose(-ae.score_samples(Xs), expected, rtol=1e-4, atol=1e-6)
    # Keras trains on errors in units of scale_: the same loss over scale_**2.
    assert ae.model_.evaluate(Xs, Xs, verbose=0) == pytest.approx(
        -ae.score(Xs) / delta**2, rel=1e-3)
    # The compiled loss survives pickling and a safe-mode .keras load.
    again = pickle.loads(pickle.dumps(ae))
    assert again.loss_ == "huber"
    np.testing.assert_allclose(again.score_samples(Xs), ae.score_samples(Xs), rtol=1e-6)
    path = tmp_path / "huber.keras"
    ae.model_.save(path)
    loaded = load_model(path)
    assert loaded.evaluate(Xs, Xs, verbose=0) == pytest.approx(
        -ae.score(Xs) / delta**2, rel=1e-3)


def test_distance_weight_makes_code_distances_follow_the_data(digits):
    """The term (0.3, the default's weight for codes of 32 values or more):
    held-out digits' code distances rank pairs more as their pixel distances
    do than without it, at the same reconstruction score; at 0 the model has
    no such layer."""
    from scipy.spatial.distance import pdist
    from scipy.stats import spearmanr

    X, _ = digits
    X_fit, X_new = X[:1300], X[1300:]
    disagreement, scores = {}, {}
    for weight in (0.0, 0.3):
        ae = DenseAutoencoder(8, hidden_layer_sizes=(64,), epochs=30, batch_size=64,
                              distance_weight=weight, random_state=0).fit(X_fit)
        layers = {type(layer).__name__ for layer in ae.model_.layers}
        assert ("DistancePreservation" in layers) == (weight > 0)
        disagreement[weight] = 1 - spearmanr(pdist(ae.transform(X_new)),
                                             pdist(X_new)).statistic
        scores[weight] = ae.score(X_new)
    # Seeds 0-4 gave ratios of 0.62-0.74 on TensorFlow and 0.66-0.81 on JAX
    # (without the term's effect the ratio would be about 1).
    assert disagreement[0.3] < 0.85 * disagreement[0.0], disagreement
    assert scores[0.3] > scores[0.0] - 0.01 * abs(scores[0.0]), scores

    def term(ae):
        return next((layer.weight for layer in ae.model_.layers
                     if type(layer).__name__ == "DistancePreservation"), 0.0)

    # "auto": the term from 32 values up, none for smaller codes.
    small = dict(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    assert term(DenseAutoencoder(32, **small).fit(X[:64])) == pytest.approx(0.3)
    assert term(DenseAutoencoder(16, **small).fit(X[:64])) == 0.0
    assert term(DenseAutoencoder(8, distance_weight=0.5, **small).fit(X[:64])) == 0.5


def test_sparse_codes_are_sparser(digits):
    X, _ = digits
    # The tutorial's simple model (ReLU code, no hidden layer), with and
    # without its L1 activity penalty.
    simple = dict(hidden_layer_sizes=(), code_activation="relu", linear_path=False,
                  epochs=30,
                  batch_size=64, random_state=0)
    plain = DenseAutoencoder(32, **simple).fit(X)
    sparse = DenseAutoencoder(32, activity_l1=1e-2, **simple).fit(X)
    assert sparse.transform(X).mean() < 0.75 * plain.transform(X).mean()


def test_deep_model_has_mirrored_layers(digits):
    X, _ = digits
    ae = DenseAutoencoder(4, hidden_layer_sizes=(32, 16), linear_path=False, epochs=2,
                          random_state=0)
    ae.fit(X)
    enc = [l.units for l in ae.encoder_.layers if hasattr(l, "units")]
    dec = [l.units for l in ae.decoder_.layers if hasattr(l, "units")]
    assert enc == [32, 16, 4] and dec == [16, 32, 64]


def test_pipeline_scaler_autoencoder_tsne(digits):
    X, y = digits
    pipe = make_pipeline(
        MinMaxScaler(),
        DenseAutoencoder(16, epochs=20, batch_size=64, random_state=0),
        TSNE(2, random_state=0, perplexity=20),
    )
    emb = pipe.fit_transform(X[:400] * 16)
    assert emb.shape == (400, 2) and np.isfinite(emb).all()
    # Same digits end up near each other: 1-NN in the embedding beats chance.
    from sklearn.neighbors import KNeighborsClassifier

    acc = cross_val_score(KNeighborsClassifier(1), emb, y[:400], cv=3).mean()
    assert acc > 0.5


def test_grid_search_over_code_size_uses_score(digits):
    X, _ = digits
    search = GridSearchCV(
        DenseAutoencoder(epochs=15, batch_size=64, random_state=0),
        {"n_components": [2, 24]},
        cv=2,
    )
    search.fit(X[:600])
    # A larger code reconstructs held-out digits better: higher score.
    assert search.best_params_ == {"n_components": 24}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > scores[0]


def test_drop_in_replacement_for_pca(digits):
    X, y = digits
    accs = {}
    for reducer in (PCA(16), DenseAutoencoder(16, hidden_layer_sizes=(64,),
                                              epochs=30, random_state=0)):
        pipe = make_pipeline(MinMaxScaler(), reducer, LogisticRegression(max_iter=2000))
        accs[type(reducer).__name__] = cross_val_score(pipe, X, y, cv=3).mean()
    assert accs["DenseAutoencoder"] > 0.8
    assert accs["PCA"] > 0.8


def test_set_output_pandas_and_feature_names(digits):
    X, _ = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ae = DenseAutoencoder(4, epochs=2, random_state=0).set_output(transform="pandas")
    out = ae.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"denseautoencoder{i}" for i in range(4)]
    assert list(ae.feature_names_in_) == list(df.columns)


@pytest.mark.parametrize(
    "roundtrip",
    [
        lambda e: pickle.loads(pickle.dumps(e)),
        lambda e: copy.deepcopy(e),
    ],
    ids=["pickle", "deepcopy"],
)
def test_roundtrips_keep_outputs(fitted, digits, roundtrip):
    X, _ = digits
    other = roundtrip(fitted)
    np.testing.assert_array_equal(other.transform(X), fitted.transform(X))
    np.testing.assert_array_equal(other.reconstruct(X), fitted.reconstruct(X))
    assert other.history_ == fitted.history_


def test_joblib_roundtrip_in_fresh_process(fitted, digits, tmp_path):
    X, _ = digits
    path = tmp_path / "ae.joblib"
    joblib.dump(fitted, path)
    np.save(tmp_path / "x.npy", X[:20])
    script = textwrap.dedent(
        f"""
        import sys, joblib, numpy as np
        est = joblib.load({str(path)!r})
        assert "DenseAutoencoder" in type(est).__name__
        np.save({str(tmp_path / 'codes.npy')!r}, est.transform(np.load({str(tmp_path / 'x.npy')!r})))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "codes.npy"), fitted.transform(X[:20]))


def test_clone_refits_identically(fitted, digits):
    X, _ = digits
    twin = clone(fitted)
    assert not hasattr(twin, "model_")
    twin.fit(X)
    np.testing.assert_array_equal(twin.transform(X), fitted.transform(X))


def test_keras_file_loads_in_safe_mode(fitted, digits, tmp_path):
    import keras

    X, _ = digits
    path = tmp_path / "ae.keras"
    fitted.model_.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(X[:10], verbose=0), fitted.reconstruct(X[:10]), atol=1e-6)
    assert not any(type(l).__name__ == "Lambda" for l in loaded._flatten_layers())


def test_warm_start_continues(digits):
    X, _ = digits
    ae = DenseAutoencoder(8, epochs=3, warm_start=True, random_state=0).fit(X)
    first = ae.history_["loss"][-1]
    model = ae.model_
    ae.fit(X)
    assert ae.model_ is model
    assert len(ae.history_["loss"]) == 6
    assert ae.history_["loss"][-1] < first


def test_validation_and_early_stopping(digits):
    X, _ = digits
    ae = DenseAutoencoder(
        8, epochs=200, validation_fraction=0.2, early_stopping=True,
        n_iter_no_change=2, tol=0.05, random_state=0,
    ).fit(X)
    assert "val_loss" in ae.history_
    assert ae.n_iter_ < 200


def test_keras_callbacks_are_called(digits, tmp_path):
    import keras

    X, _ = digits
    log = tmp_path / "log.csv"
    DenseAutoencoder(4, epochs=3, callbacks=[keras.callbacks.CSVLogger(str(log))]).fit(X)
    assert len(log.read_text().strip().splitlines()) == 4  # header + 3 epochs


def test_optimizer_instance_is_not_mutated(digits):
    import keras

    X, _ = digits
    opt = keras.optimizers.SGD(learning_rate=0.5)
    ae = DenseAutoencoder(4, optimizer=opt, epochs=2).fit(X)
    assert ae.optimizer is opt and int(opt.iterations.numpy()) == 0
    assert type(ae.model_.optimizer).__name__ == "SGD"


# ---------------------------------------------------------------------------
# Bad input: a clear error, and nothing lost
# ---------------------------------------------------------------------------
def test_not_fitted_errors():
    ae = DenseAutoencoder()
    for method in (ae.transform, ae.inverse_transform, ae.score_samples, ae.reconstruct):
        with pytest.raises(NotFittedError):
            method(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([[0.1, np.nan], [0.2, 0.3]]), "NaN"),
        (np.array([[0.1, np.inf], [0.2, 0.3]]), "infinity"),
        (np.empty((0, 4)), "0 sample"),
        (np.array([[0.1, 0.2]]), "1 sample"),
        (np.array([["a", "b"], ["c", "d"]]), "[Ss]tring|could not convert"),
    ],
    ids=["nan", "inf", "empty", "one-sample", "strings"],
)
def test_bad_fit_input(bad, match):
    with pytest.raises(ValueError, match=match):
        DenseAutoencoder(2, epochs=1).fit(bad)


def test_wrong_feature_count_at_transform(fitted):
    with pytest.raises(ValueError, match="64 features"):
        fitted.transform(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="expects codes of 16"):
        fitted.inverse_transform(np.zeros((3, 10)))


def test_bce_on_data_outside_unit_interval(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="MinMaxScaler"):
        DenseAutoencoder(2, loss="binary_crossentropy", epochs=1).fit(X * 16)


@pytest.mark.parametrize(
    "params",
    [{"n_components": 0}, {"epochs": 0}, {"noise_factor": -0.1},
     {"hidden_layer_sizes": (8, 0)}, {"loss": "hinge"}, {"validation_fraction": 1.0}],
)
def test_bad_parameters(params, digits):
    X, _ = digits
    with pytest.raises(ValueError):
        DenseAutoencoder(**params).fit(X[:20])


def test_input_never_modified(digits):
    X, _ = digits
    X64 = X.astype(np.float64)
    before = X64.copy()
    ae = DenseAutoencoder(4, noise_factor=0.3, epochs=2, random_state=0).fit(X64)
    ae.transform(X64)
    ae.score_samples(X64)
    np.testing.assert_array_equal(X64, before)


def test_diverging_fit_raises_and_leaves_estimator_unfitted(digits):
    X, _ = digits
    ae = DenseAutoencoder(4, loss="mse", learning_rate=1e12, epochs=20, random_state=0)
    with pytest.raises(ValueError, match="diverged"):
        ae.fit(X * 1e20)
    with pytest.raises(NotFittedError):
        ae.transform(X)


def test_diverging_warm_start_restores_previous_state(digits):
    X, _ = digits
    ae = DenseAutoencoder(4, loss="mse", epochs=2, warm_start=True, random_state=0).fit(X)
    codes = ae.transform(X)
    history = copy.deepcopy(ae.history_)
    ae.set_params(learning_rate=1e12)
    with pytest.raises(ValueError, match="diverged"):
        ae.fit(X * 1e20)
    np.testing.assert_array_equal(ae.transform(X), codes)
    assert ae.history_ == history


def test_defaults_beat_pca_on_held_out_digits(digits):
    """Only n_components set: a lower held-out error than PCA of that size."""
    X, _ = digits
    X_train, X_test = X[:1400], X[1400:]
    ae = DenseAutoencoder(8, random_state=0).fit(X_train)
    ae_mse = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert ae_mse < 0.8 * pca_mse, (ae_mse, pca_mse)


def test_defaults_beat_pca_on_held_out_standardised_digits(digits, held_out_scores):
    """StandardScaler in front, only n_components set: a lower held-out error
    than PCA of that size, and codes at least as good for 5-NN."""
    X, y = digits
    scaler = StandardScaler().fit(X[:1400])
    X_train, X_test = scaler.transform(X[:1400]), scaler.transform(X[1400:])
    y_train, y_test = y[:1400], y[1400:]
    ae = DenseAutoencoder(8, random_state=0).fit(X_train)
    assert ae.loss_ == "huber"
    pca = PCA(8).fit(X_train)
    scores = {name: held_out_scores(est, X_train, y_train, X_test, y_test)
              for name, est in (("ae", ae), ("pca", pca))}
    assert scores["ae"][0] < 0.8 * scores["pca"][0], scores
    assert scores["ae"][1] >= scores["pca"][1], scores


def test_data_far_from_zero_is_centred_like_pca(digits, held_out_scores):
    """Values far from zero, as PCA takes them without a scaler (the digits
    plus 100, a sensor's baseline, say): the network reads them less their
    training mean (``mean_``) and adds it back, so it fits them as it fits the
    same values near zero, and beats PCA on them with its defaults."""
    X, y = digits
    Xs = StandardScaler().fit_transform(X).astype(np.float32)
    near = DenseAutoencoder(4, epochs=3, random_state=0).fit(Xs)
    far = DenseAutoencoder(4, epochs=3, random_state=0).fit(Xs + 100)
    np.testing.assert_allclose(far.mean_, Xs.mean(axis=0) + 100, atol=1e-3)
    codes = near.transform(Xs)
    np.testing.assert_allclose(far.transform(Xs + 100), codes,
                               atol=1e-3 * np.abs(codes).max())
    np.testing.assert_allclose(far.inverse_transform(codes) - 100,
                               near.inverse_transform(codes), atol=1e-2)
    assert DenseAutoencoder(4, epochs=1).fit(X).mean_ is None  # [0, 1]: as before
    X_train, X_test = X[:1400] + 100, X[1400:] + 100
    ae = DenseAutoencoder(8, random_state=0).fit(X_train)
    pca = PCA(8).fit(X_train)
    scores = {name: held_out_scores(est, X_train, y[:1400], X_test, y[1400:])
              for name, est in (("ae", ae), ("pca", pca))}
    assert scores["ae"][0] < 0.8 * scores["pca"][0], scores
    assert scores["ae"][1] >= scores["pca"][1], scores


@pytest.mark.parametrize("model", ["dense", "conv"])
def test_the_same_data_in_other_units_train_the_same_model(digits, tmp_path, model):
    """Errors in the data's units (Huber, squared error) are measured in units
    of the data's spread (``scale_``), which the network reads and gives values
    in: the same data times 16 plus 100 (counts on a baseline, say) give the
    same codes, reconstructions in those units, scores 16**2 times as large,
    and a saved network that reloads in safe mode. Before, the Huber loss
    switched from squared to absolute error at one unit of whatever the data
    were in."""
    from skae import ConvAutoencoder

    X, _ = digits
    near_X = ((X[:400] - 0.5) * 4).astype(np.float32)
    far_X = near_X * 16 + 100
    if model == "dense":
        make = lambda: DenseAutoencoder(4, epochs=3, random_state=0)  # noqa: E731
        tol = 1e-3
    else:  # JAX's CPU convolutions grow rounding to about 1% over these steps
        make = lambda: ConvAutoencoder(4, image_shape=(8, 8), epochs=3,  # noqa: E731
                                       random_state=0)
        tol = 3e-2
    near, far = make().fit(near_X), make().fit(far_X)
    assert near.loss_ == far.loss_ == ("huber" if model == "dense" else "mse")
    variance = near_X.astype(np.float64).var(axis=0)
    np.testing.assert_allclose(near.scale_, np.sqrt(variance[variance > 0].mean()),
                               rtol=1e-6)  # the root mean variance of varying pixels
    np.testing.assert_allclose(far.scale_, 16 * near.scale_, rtol=1e-5)
    codes = near.transform(near_X)
    np.testing.assert_allclose(far.transform(far_X), codes,
                               atol=tol * np.abs(codes).max())
    np.testing.assert_allclose((far.inverse_transform(codes) - 100) / 16,
                               near.inverse_transform(codes), atol=tol * np.abs(near_X).max())
    np.testing.assert_allclose(far.score_samples(far_X) / 256,
                               near.score_samples(near_X), rtol=max(tol, 1e-2))
    far.model_.save(tmp_path / "far.keras")
    loaded = load_model(tmp_path / "far.keras")
    assert loaded.loss.scale == far.scale_
    batch = far_X[:30].reshape((30,) + far.sample_shape_)
    np.testing.assert_allclose(loaded.predict_on_batch(batch).reshape(30, -1),
                               far.reconstruct(far_X[:30]).reshape(30, -1), rtol=1e-6)


def test_mean_of_sparse_and_memmap_input_is_read_in_blocks(digits, tmp_path):
    """``mean_`` of data outside [0, 1] given as a sparse matrix or a memmap
    (read in blocks, never densified whole) equals the dense array's."""
    import scipy.sparse as sp

    X, _ = digits
    counts = np.round(X * 16).astype(np.float32)  # the digits' raw counts, 0-16
    path = tmp_path / "counts.dat"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=counts.shape)
    mm[:] = counts
    mm.flush()
    expected = counts.mean(axis=0, dtype=np.float64)
    for data in (sp.csr_matrix(counts),
                 np.memmap(path, dtype=np.float32, mode="r", shape=counts.shape)):
        ae = DenseAutoencoder(2, hidden_layer_sizes=(), epochs=1, random_state=0).fit(data)
        np.testing.assert_allclose(ae.mean_, expected, rtol=1e-5, atol=1e-5)


def test_auto_batch_size_and_epochs_follow_the_data_size(digits):
    """batch_size="auto": 32 samples a batch on small data; epochs="auto":
    enough epochs for about 3,500 gradient steps, at most 200."""
    X, _ = digits
    small = DenseAutoencoder(2, hidden_layer_sizes=(), random_state=0).fit(X[:320])
    assert small.n_iter_ == 200  # 10 steps an epoch: capped at 200 epochs
    larger = DenseAutoencoder(2, hidden_layer_sizes=(), random_state=0).fit(
        np.tile(X, (5, 1)))  # 8,985 rows: batches of 140, 65 steps an epoch
    assert larger.n_iter_ == 54
    assert DenseAutoencoder(2, epochs=3, batch_size=7).fit(X[:50]).n_iter_ == 3


def test_linear_path_starts_at_pca(digits):
    """``linear_path``: the network starts as PCA of ``n_components``
    values (standardised data, a linear output): a fit that does not move
    the weights gives PCA's codes (up to each axis' sign) and PCA's
    reconstructions, and the fast inference path computes them as Keras
    does. ``"auto"`` adds the path to codes of 16 values or more."""
    import keras

    X, _ = digits
    Xs = StandardScaler().fit_transform(X).astype(np.float32)
    still = dict(epochs=1, learning_rate=1e-12, random_state=0)
    ae = DenseAutoencoder(16, **still).fit(Xs)
    pca = PCA(16).fit(Xs)
    codes = ae.transform(Xs)
    np.testing.assert_allclose(np.abs(codes), np.abs(pca.transform(Xs)), atol=2e-3)
    np.testing.assert_allclose(ae.inverse_transform(codes),
                               pca.inverse_transform(pca.transform(Xs)), atol=2e-3)
    np.testing.assert_allclose(codes, keras.ops.convert_to_numpy(ae.encoder_(Xs)),
                               atol=1e-4)
    plain = DenseAutoencoder(16, linear_path=False, **still).fit(Xs)
    assert np.mean((plain.reconstruct(Xs) - Xs) ** 2) > 2 * np.mean(
        (ae.reconstruct(Xs) - Xs) ** 2)
    names = [layer.name for layer in DenseAutoencoder(8, **still).fit(Xs)
             .encoder_.get_layer("encoder").layers]
    assert "code_linear" not in names


def test_linear_path_lowers_held_out_error_of_large_codes(digits):
    """At 32 values (half the digits' 64 pixels) a network started at
    random reconstructs held-out digits worse than PCA(32); started at PCA
    (the linear path, on by default there) it reconstructs them better than
    without the path."""
    X, _ = digits
    X_train, X_test = X[:1400], X[1400:]

    def error(est):
        return np.mean((est.fit(X_train).reconstruct(X_test) - X_test) ** 2)

    with_path = error(DenseAutoencoder(32, random_state=0))
    without = error(DenseAutoencoder(32, linear_path=False, random_state=0))
    assert with_path < 0.9 * without, (with_path, without)
