"""Tests of skae.plotting's displays: from estimators and from arrays."""

import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skae import DenseAutoencoder  # noqa: E402
from skae.plotting import (  # noqa: E402
    CodeDisplay,
    LatentSpaceDisplay,
    LossCurveDisplay,
    ManifoldDisplay,
    ReconstructionDisplay,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:400], y[:400]


@pytest.fixture(scope="module")
def ae(data):
    X, _ = data
    return DenseAutoencoder(4, epochs=2, validation_fraction=0.2,
                            random_state=0).fit(X)


@pytest.fixture(scope="module")
def denoiser(data):
    X, _ = data
    return DenseAutoencoder(4, epochs=1, noise_factor=0.5, random_state=0).fit(X)


def _image_arrays(images):
    return [np.asarray(im.get_array()) for im in np.ravel(images)]


def _assert_grey_upright(im):
    assert im.origin == "upper"
    assert im.get_cmap().name == "gray"


# ----------------------------------------------------------------------
# ReconstructionDisplay
# ----------------------------------------------------------------------
def test_reconstruction_from_estimator_upright_grey(ae, data):
    X, _ = data
    disp = ReconstructionDisplay.from_estimator(ae, X, n_images=5)
    assert disp.ax_.shape == (2, 5)
    assert disp.figure_ is disp.ax_[0, 0].figure
    R = ae.reconstruct(X[:5])
    for i in range(5):
        top, bottom = disp.images_[0, i], disp.images_[1, i]
        # The drawn array is the sample reshaped row by row: upright digits.
        np.testing.assert_allclose(top.get_array(), X[i].reshape(8, 8), rtol=1e-6)
        np.testing.assert_allclose(bottom.get_array(), R[i].reshape(8, 8),
                                   rtol=1e-5, atol=1e-6)
        _assert_grey_upright(top)
        _assert_grey_upright(bottom)
    # One grey scale for both rows, from the originals' range.
    assert disp.images_[1, 0].get_clim() == disp.images_[0, 0].get_clim()


def test_reconstruction_noisy_row_for_denoiser(denoiser, data):
    X, _ = data
    disp = ReconstructionDisplay.from_estimator(denoiser, X, n_images=4)
    assert disp.ax_.shape == (3, 4)
    noisy = disp.noisy.reshape(4, -1)
    assert not np.allclose(noisy, X[:4])
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0  # clipped to the data range
    # The bottom row is the reconstruction of the noisy inputs.
    np.testing.assert_allclose(disp.reconstructions.reshape(4, -1),
                               denoiser.reconstruct(noisy.astype(np.float32)),
                               rtol=1e-5, atol=1e-6)
    # noise_factor=0 overrides the estimator's: no noisy row.
    assert ReconstructionDisplay.from_estimator(
        denoiser, X, n_images=4, noise_factor=0.0).ax_.shape == (2, 4)


def test_reconstruction_from_predictions_shapes():
    rng = np.random.RandomState(0)
    X = rng.rand(3, 4 * 6)
    disp = ReconstructionDisplay.from_predictions(X, X * 0.5, image_shape=(4, 6),
                                                  X_noisy=X + 0.1)
    assert disp.ax_.shape == (3, 3)
    np.testing.assert_allclose(disp.images_[0, 2].get_array(), X[2].reshape(4, 6))
    np.testing.assert_allclose(disp.images_[2, 1].get_array(),
                               (X[1] * 0.5).reshape(4, 6))
    # n-d images keep their shape; a channel axis of 1 is dropped.
    disp = ReconstructionDisplay.from_predictions(X.reshape(3, 4, 6, 1), X)
    assert disp.images_[0, 0].get_array().shape == (4, 6)


def test_reconstruction_draws_on_given_axes():
    X = np.random.RandomState(0).rand(2, 16)
    fig, axes = plt.subplots(2, 2)
    disp = ReconstructionDisplay.from_predictions(X, X, ax=axes)
    assert disp.figure_ is fig
    assert disp.ax_[1, 1] is axes[1, 1]


def test_reconstruction_errors():
    X = np.random.RandomState(0).rand(3, 10)
    with pytest.raises(ValueError, match="image_shape"):
        ReconstructionDisplay.from_predictions(X, X)  # 10 is not a square
    with pytest.raises(ValueError, match="as many samples"):
        ReconstructionDisplay.from_predictions(X[:, :9], X, image_shape=(3, 3))
    with pytest.raises(ValueError, match="holds 12 values"):
        ReconstructionDisplay.from_predictions(X, X, image_shape=(3, 4))
    with pytest.raises(ValueError, match="ax must hold"):
        _, axes = plt.subplots(1, 3)
        ReconstructionDisplay.from_predictions(X[:, :9], X[:, :9], ax=axes)


def test_reconstruction_needs_fitted_estimator(data):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ReconstructionDisplay.from_estimator(DenseAutoencoder(4), data[0])


# ----------------------------------------------------------------------
# CodeDisplay
# ----------------------------------------------------------------------
def test_code_display_from_estimator(ae, data):
    X, _ = data
    disp = CodeDisplay.from_estimator(ae, X, n_images=6)
    codes = ae.transform(X[:6])
    assert disp.ax_.shape == (6,)
    for i, im in enumerate(disp.images_):
        np.testing.assert_allclose(im.get_array(), codes[i].reshape(2, 2),
                                   rtol=1e-5, atol=1e-6)
        _assert_grey_upright(im)


def test_code_display_from_codes_shapes():
    codes = np.arange(2 * 128, dtype=float).reshape(2, 128)
    # Default: a tall strip.
    assert CodeDisplay.from_codes(codes).codes.shape == (2, 16, 8)
    assert CodeDisplay.from_codes(codes, code_shape=(8, 16)).codes.shape == (2, 8, 16)
    # The tutorial's 4x4x8 feature maps shown as (4, 32) transposed.
    disp = CodeDisplay.from_codes(codes, code_shape=(4, 4, 8))
    np.testing.assert_array_equal(disp.images_[1].get_array(),
                                  codes[1].reshape(4, 32).T)
    assert CodeDisplay.from_codes(codes, n_images=1).ax_.shape == (1,)
    with pytest.raises(ValueError, match="code_shape"):
        CodeDisplay.from_codes(codes, code_shape=(5, 5))


# ----------------------------------------------------------------------
# LatentSpaceDisplay
# ----------------------------------------------------------------------
def test_latent_space_first_dims(ae, data):
    X, y = data
    disp = LatentSpaceDisplay.from_estimator(ae, X, y)
    codes = ae.transform(X)
    np.testing.assert_allclose(disp.scatter_.get_offsets(), codes[:, :2], rtol=1e-5,
                               atol=1e-6)
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    assert labels == [str(c) for c in np.unique(y)]
    # Points of one class share a colour, different classes differ.
    colors = disp.scatter_.to_rgba(disp.scatter_.get_array())[:, :3]
    c0, c1 = colors[y == 0], colors[y == 1]
    assert np.allclose(c0, c0[0]) and not np.allclose(c0[0], c1[0])
    assert disp.ax_.get_xlabel() == "code[0]"


def test_latent_space_tsne_and_errors():
    rng = np.random.RandomState(0)
    codes = np.vstack([rng.normal(0, 1, (20, 5)), rng.normal(8, 1, (20, 5))])
    y = np.repeat([0, 1], 20)
    disp = LatentSpaceDisplay.from_codes(codes, y, method="tsne", random_state=0)
    emb = disp.embedding
    assert emb.shape == (40, 2) and np.all(np.isfinite(emb))
    # t-SNE keeps the two well-separated groups apart.
    gap = np.linalg.norm(emb[y == 0].mean(0) - emb[y == 1].mean(0))
    assert gap > 2 * emb[y == 0].std(0).max()
    assert disp.ax_.get_xlabel() == "t-SNE 1"
    # A ParametricTSNE's map is drawn as it is, with t-SNE labels.
    disp = LatentSpaceDisplay.from_codes(emb, y, method="parametric_tsne")
    np.testing.assert_array_equal(disp.embedding, emb)
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("t-SNE 1", "t-SNE 2")
    with pytest.raises(ValueError, match="method"):
        LatentSpaceDisplay.from_codes(codes, y, method="umap")
    with pytest.raises(ValueError, match="labels"):
        LatentSpaceDisplay.from_codes(codes, y[:5])
    with pytest.raises(ValueError, match="at least 2"):
        LatentSpaceDisplay.from_codes(codes[:, :1])
    # Continuous labels get a colour bar instead of a legend.
    disp = LatentSpaceDisplay.from_codes(codes, rng.rand(40))
    assert disp.colorbar_ is not None and disp.legend_ is None


# ----------------------------------------------------------------------
# ManifoldDisplay
# ----------------------------------------------------------------------
def test_manifold_from_estimator_grid(ae):
    disp = ManifoldDisplay.from_estimator(ae, n=3, latent_range=(0.0, 2.0), gap=0)
    assert disp.mosaic_.shape == (24, 24)
    _assert_grey_upright(disp.image_)
    np.testing.assert_allclose(disp.grid_x, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(disp.grid_y, [2.0, 1.0, 0.0])  # top row first
    # Top-left cell: smallest first coordinate, largest second; others at 0.
    z = np.array([[0.0, 2.0, 0.0, 0.0]], dtype=np.float32)
    expected = ae.inverse_transform(z).reshape(8, 8)
    np.testing.assert_allclose(disp.mosaic_[:8, :8], expected, rtol=1e-5, atol=1e-6)
    z = np.array([[2.0, 0.0, 0.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(disp.mosaic_[16:, 16:],
                               ae.inverse_transform(z).reshape(8, 8),
                               rtol=1e-5, atol=1e-6)


def test_manifold_range_from_data(ae, data):
    X, _ = data
    disp = ManifoldDisplay.from_estimator(ae, X, n=4, dims=(1, 2))
    codes = ae.transform(X)
    np.testing.assert_allclose(disp.grid_x[[0, -1]], np.percentile(codes[:, 1], [1, 99]),
                               rtol=1e-5, atol=1e-6)
    # The axes are labelled with the code dimensions scanned.
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("code[1]", "code[2]")
    with pytest.raises(ValueError, match="dims"):
        ManifoldDisplay.from_estimator(ae, n=3, dims=(0, 0))


def test_manifold_from_images():
    rng = np.random.RandomState(0)
    imgs = rng.rand(4, 6, 5)  # 4 images of 6x5 -> a 2x2 grid
    disp = ManifoldDisplay.from_images(imgs, gap=0)
    assert disp.mosaic_.shape == (12, 10)
    np.testing.assert_array_equal(disp.mosaic_[6:, :5], imgs[2])
    np.testing.assert_array_equal(np.asarray(disp.image_.get_array()), disp.mosaic_)
    # Small images are drawn 1 pixel apart by default; the gaps are masked.
    disp = ManifoldDisplay.from_images(imgs)
    assert disp.mosaic_.shape == (13, 11)
    np.testing.assert_array_equal(disp.mosaic_[7:, 6:], imgs[3])
    assert disp.mosaic_.mask[6, :].all() and disp.mosaic_.mask[:, 5].all()
    assert not disp.mosaic_.mask[:6, :5].any()
    # Under the mask the gaps hold zeros, not uninitialised memory that
    # matplotlib's normalisation would compute on (and warn about) when drawn.
    assert not disp.mosaic_.data[6, :].any() and not disp.mosaic_.data[:, 5].any()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        disp.figure_.canvas.draw()
    grid = rng.rand(2, 3, 4, 4)
    assert ManifoldDisplay.from_images(grid, gap=0).mosaic_.shape == (8, 12)
    assert ManifoldDisplay.from_images(rng.rand(4, 20, 20)).mosaic_.shape == (40, 40)
    with pytest.raises(ValueError, match="square"):
        ManifoldDisplay.from_images(rng.rand(5, 16))


# ----------------------------------------------------------------------
# LossCurveDisplay
# ----------------------------------------------------------------------
def test_loss_curve_from_estimator(ae):
    disp = LossCurveDisplay.from_estimator(ae)
    assert set(disp.lines_) == {"loss", "val_loss"}
    np.testing.assert_allclose(disp.lines_["loss"].get_ydata(), ae.history_["loss"])
    np.testing.assert_array_equal(disp.lines_["val_loss"].get_xdata(), [1, 2])
    assert disp.ax_.get_xlabel() == "epoch"


def test_loss_curve_from_history():
    class History:  # duck-typed keras.callbacks.History
        history = {"loss": [1.0, 0.5, 0.25], "mae": [0.3, 0.2, 0.1]}

    disp = LossCurveDisplay.from_history(History(), log_scale=True)
    assert list(disp.lines_) == ["loss"]
    assert disp.ax_.get_yscale() == "log"
    disp = LossCurveDisplay.from_history({"mae": [0.3, 0.2]})
    assert list(disp.lines_) == ["mae"]
    with pytest.raises(ValueError):
        LossCurveDisplay.from_history({})
    with pytest.raises(ValueError, match="no key"):
        LossCurveDisplay.from_history({"loss": [1.0]}, keys=["val_loss"])


def test_import_skae_does_not_import_matplotlib():
    code = ("import sys, skae, skae.plotting; "
            "print('matplotlib' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]
