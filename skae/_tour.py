"""``skae tour``: the Keras autoencoder tutorial's seven models, end to end.

Trains the simple, sparse, deep, convolutional, denoising, sequence and
variational autoencoders on the bundled 8x8 digits (or a Keras-layout
``mnist.npz``), compares each with PCA of the same code size, and writes an
HTML and a Markdown report with the tutorial's figures as PNG files. The full
tour also fits a ParametricTSNE and draws its map of the held-out test digits.

The module imports Keras and matplotlib only when the tour runs.
"""

import logging
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._conv import ConvAutoencoder
from ._dense import DenseAutoencoder
from ._report import write_reports
from ._sequence import SequenceAutoencoder
from ._tsne import ParametricTSNE
from ._vae import VariationalAutoencoder

logger = logging.getLogger("skae.tour")

#: Standard deviation of the denoiser's Gaussian noise (the tutorial's).
NOISE_FACTOR = 0.5


@dataclass(frozen=True)
class _Model:
    """One model of the tour: its estimator, and what the tour shows of it.

    ``params(image_shape, code, small)`` gives the estimator's parameters on
    images of ``image_shape`` for a code of ``code`` values (``small``: the
    8x8 digits); ``noisy`` models are tested on noisy inputs; ``codes`` and
    ``latent`` add the figures of the codes and of the latent plane;
    ``tsne_rank`` orders the candidates for the t-SNE figure (None: never).
    """

    estimator: type
    params: object
    noisy: bool = False
    codes: bool = False
    latent: bool = False
    tsne_rank: int = None


#: The tutorial's models, in its order. Each is shown with skae's defaults for
#: its role (only the code size is set): the dense ones at 16 values on small
#: images and 32 on larger ones, the convolutional ones at the same size
#: through their dense code, the VAE with a 2-D latent space. The tutorial's
#: exact architectures are one parameter set away (see the README's table).
_MODELS = {
    "simple": _Model(DenseAutoencoder, lambda shape, code, small: {
        "n_components": code, "hidden_layer_sizes": ()}, codes=True, tsne_rank=1),
    "sparse": _Model(DenseAutoencoder, lambda shape, code, small: {
        "n_components": code, "activity_l1": 1e-4}, codes=True, tsne_rank=2),
    "deep": _Model(DenseAutoencoder, lambda shape, code, small: {
        "n_components": code}, tsne_rank=0),
    "conv": _Model(ConvAutoencoder, lambda shape, code, small: {
        "n_components": code, "image_shape": shape + (1,)}, codes=True,
        tsne_rank=4),
    "denoising": _Model(ConvAutoencoder, lambda shape, code, small: {
        "n_components": code, "image_shape": shape + (1,),
        "noise_factor": NOISE_FACTOR}, noisy=True),
    "sequence": _Model(SequenceAutoencoder, lambda shape, code, small: {
        "sequence_shape": shape, "n_components": code}, tsne_rank=3),
    "vae": _Model(VariationalAutoencoder, lambda shape, code, small: {
        "n_components": 2}, latent=True),
}

#: The tutorial's models, in its order.
MODEL_NAMES = tuple(_MODELS)


class TourError(Exception):
    """A problem with the tour's input, reported as one line without traceback."""


@dataclass
class TourConfig:
    """Options of one tour run (see ``skae tour --help``)."""

    data: str = None
    out: str = "skae-tour"
    models: tuple = MODEL_NAMES
    quick: bool = False
    epochs_scale: float = 1.0
    n_train: int = None
    random_state: int = 0
    progress: bool = True
    n_images: int = 10


@dataclass
class ModelResult:
    name: str
    estimator: object
    code_size: int
    mse: float
    pca_components: int
    pca_mse: float
    fit_time: float
    epochs: int
    input_kind: str = "clean"
    probe_acc: float = float("nan")
    pca_probe_acc: float = float("nan")
    pca_variance: float = float("nan")
    pca: object = None
    figures: list = field(default_factory=list)

# ----------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------
@dataclass
class TourData:
    name: str
    X_train: np.ndarray  # (n, h, w) in [0, 1]
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def image_shape(self):
        return tuple(self.X_train.shape[1:])

    @property
    def n_features(self):
        return int(np.prod(self.image_shape))

    @property
    def small(self):
        """True for small images (the 8x8 digits): other sizes and epochs."""
        return max(self.image_shape) < 16

    def flat(self, part):
        X = getattr(self, f"X_{part}")
        return X.reshape(len(X), -1)


def _subset(X, y, n, rng):
    if n is None or n >= len(X):
        return X, y
    idx = np.sort(rng.choice(len(X), size=n, replace=False))
    return X[idx], y[idx]


def load_tour_data(path=None, *, quick=False, n_train=None, random_state=0):
    """Train/test images in [0, 1]: the bundled digits, or an MNIST file."""
    from sklearn.model_selection import train_test_split

    from .datasets import load_digits_images, load_mnist

    if path is None:
        images, target = load_digits_images()
        X_train, X_test, y_train, y_test = train_test_split(
            images, target, test_size=0.25, stratify=target,
            random_state=random_state,
        )
        name = "scikit-learn digits (8x8)"
    else:
        try:
            (X_train, y_train), (X_test, y_test) = load_mnist(path)
        except FileNotFoundError:
            raise TourError(f"no data file at {str(path)!r}") from None
        except ValueError as exc:
            raise TourError(str(exc).splitlines()[0]) from None
        lo = min(float(X_train.min()), float(X_test.min()))
        hi = max(float(X_train.max()), float(X_test.max()))
        if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0 or hi > 1:
            raise TourError(
                f"{str(path)!r}: pixel values must be uint8 or floats in [0, 1], "
                f"got the range [{lo:.4g}, {hi:.4g}]."
            )
        h, w = X_train.shape[1:]
        name = f"{Path(path).name} ({h}x{w})"
    rng = np.random.RandomState(random_state)
    if quick:
        X_train, y_train = _subset(X_train, y_train, n_train or 300, rng)
        X_test, y_test = _subset(X_test, y_test, 100, rng)
    elif n_train is not None:
        X_train, y_train = _subset(X_train, y_train, n_train, rng)
    if len(X_train) < 10 or len(X_test) < 4:
        raise TourError(
            f"too few samples: {len(X_train)} for training, {len(X_test)} for testing."
        )
    return TourData(name, X_train.astype(np.float32), np.asarray(y_train),
                    X_test.astype(np.float32), np.asarray(y_test))


# ----------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------
def check_models(models):
    """Validate model names and their availability; return a tuple of names."""
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",")]
    models = [m.strip().lower() for m in models if m and m.strip()]
    if not models:
        raise TourError(f"no model selected; choose from {', '.join(MODEL_NAMES)}.")
    unknown = [m for m in models if m not in MODEL_NAMES]
    if unknown:
        raise TourError(
            f"unknown model(s) {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(MODEL_NAMES)}."
        )
    # Keep the tutorial's order, without duplicates.
    return tuple(m for m in MODEL_NAMES if m in models)


#: Epochs that ``--epochs-scale F`` multiplies (each model's own ``"auto"``
#: choice is used when F is 1).
REFERENCE_EPOCHS = 50


def _epochs(config):
    """``"auto"`` (each estimator's own choice for the data), 2 for a quick
    tour, or ``F * REFERENCE_EPOCHS`` under ``--epochs-scale F``."""
    if config.quick:
        return 2
    if config.epochs_scale == 1:
        return "auto"
    return max(1, int(round(REFERENCE_EPOCHS * config.epochs_scale)))


def make_model(name, data, config):
    """The tour's estimator for ``name`` on ``data``, unfitted (see
    ``_MODELS``)."""
    model = _MODELS[name]
    params = model.params(data.image_shape, 16 if data.small else 32, data.small)
    return model.estimator(**params, random_state=config.random_state,
                           validation_fraction=0.1, epochs=_epochs(config))


def _progress_callback(label, stream):
    """A Keras callback drawing one progress bar per model on a terminal."""
    from ._backend import get_keras

    keras = get_keras()

    class _ProgressBar(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            done = epoch + 1
            width = 30
            # epochs="auto" is resolved in fit: Keras passes the number here.
            total = int(self.params.get("epochs") or 1)
            fill = int(round(width * done / max(total, 1)))
            loss = (logs or {}).get("loss")
            loss = "" if loss is None else f" loss {float(loss):.4f}"
            stream.write(f"\r  {label:<10} [{'#' * fill}{'.' * (width - fill)}] "
                         f"{done}/{total} epochs{loss}")
            stream.flush()

        def on_train_end(self, logs=None):
            stream.write("\n")
            stream.flush()

    return _ProgressBar()


def _timed_fit(est, X, name, config):
    """Fit ``est`` on ``X``, with a progress line on a terminal; the seconds."""
    if config.progress and sys.stderr.isatty():
        est.set_params(callbacks=[_progress_callback(name, sys.stderr)])
    start = time.perf_counter()
    try:
        est.fit(X)
    finally:
        est.set_params(callbacks=None)
    return time.perf_counter() - start


def _noisy(X, rng):
    return np.clip(X + NOISE_FACTOR * rng.normal(size=X.shape), 0.0, 1.0).astype(
        np.float32
    )


def _mse(a, b):
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    return float(np.mean((a - b) ** 2))


def _probe_accuracy(codes_train, y_train, codes_test, y_test):
    """Linear probe: test accuracy of a logistic regression fitted on the
    training codes and labels (NaN with fewer than two classes)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(np.unique(y_train)) < 2:
        return float("nan")
    codes_train = np.asarray(codes_train, np.float64).reshape(len(codes_train), -1)
    codes_test = np.asarray(codes_test, np.float64).reshape(len(codes_test), -1)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    probe.fit(codes_train, y_train)
    return float(probe.score(codes_test, y_test))


def _pca_baseline(n_components, data, X_in, random_state):
    """PCA with the model's code size: (pca, k, test MSE, probe accuracy)."""
    from sklearn.decomposition import PCA

    X_train = data.flat("train")
    k = int(min(n_components, X_train.shape[1], len(X_train)))
    pca = PCA(n_components=k, random_state=random_state).fit(X_train)
    mse = _mse(pca.inverse_transform(pca.transform(X_in)), data.flat("test"))
    acc = _probe_accuracy(pca.transform(X_train), data.y_train, pca.transform(X_in),
                          data.y_test)
    return pca, k, mse, acc


def train_model(name, data, config, index, total, X_test_noisy):
    est = make_model(name, data, config)
    epochs = est.get_params()["epochs"]
    X_train, X_test = data.flat("train"), data.flat("test")
    label = f"[{index}/{total}] {name}"
    logger.info("%s: %s, %s epochs on %d samples", label, type(est).__name__,
                epochs, len(X_train))
    fit_time = _timed_fit(est, X_train, name, config)
    if _MODELS[name].noisy:
        X_in, kind = X_test_noisy, f"noisy (noise {NOISE_FACTOR})"
    else:
        X_in, kind = X_test, "clean"
    codes = est.transform(X_in)
    code_size = int(np.prod(np.shape(codes)[1:]))
    mse = _mse(est.reconstruct(X_in), X_test)
    acc = _probe_accuracy(est.transform(X_train), data.y_train, codes, data.y_test)
    pca, k, pca_mse, pca_acc = _pca_baseline(code_size, data, X_in,
                                             config.random_state)
    logger.info("%s: done in %.1f s; test MSE %.4f, probe accuracy %.3f "
                "(PCA(%d): %.4f, %.3f)", label, fit_time, mse, acc, k, pca_mse,
                pca_acc)
    return ModelResult(
        name, est, code_size, mse, k, pca_mse, fit_time,
        len(est.history_.get("loss", [])), kind, probe_acc=acc,
        pca_probe_acc=pca_acc, pca=pca,
        pca_variance=float(np.sum(pca.explained_variance_ratio_)),
    )

# ----------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------
def _figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _save(fig, out, filename, title, caption, figures):
    """Write ``fig``; ``title`` is what the figure shows (drawn in it, and the
    image's alt text), ``caption`` how to read it (the report's caption)."""
    fig.savefig(out / filename, dpi=100)
    figures.append((filename, title, caption))
    logger.debug("wrote %s", out / filename)


def _errors(result):
    """The row's numbers, as a figure caption says them."""
    return (f"Test MSE {result.mse:.4f} per pixel against {result.pca_mse:.4f} for "
            f"PCA({result.pca_components}); a linear probe on the codes classifies "
            f"{result.probe_acc:.0%} of the test digits correctly (PCA "
            f"{result.pca_probe_acc:.0%}).")


def _figure_reconstructions(result, data, out, figures, n_images, X_test_noisy):
    from .plotting import ReconstructionDisplay

    X = data.flat("test")[:n_images]
    noisy = _MODELS[result.name].noisy
    fig = _figure((1.3 * n_images, 4.2 if noisy else 2.9))
    axes = fig.subplots(3 if noisy else 2, n_images, squeeze=False)
    if noisy:
        Xn = X_test_noisy[:n_images]
        ReconstructionDisplay.from_predictions(
            X, result.estimator.reconstruct(Xn), X_noisy=Xn, n_images=None,
            image_shape=data.image_shape, ax=axes,
        )
        axes[2, 0].set_ylabel("denoised", fontsize=9)
        title = (f"{result.name}: clean, noisy input (noise {NOISE_FACTOR}), "
                 "denoised")
        fig.suptitle(title)
        noise = _mse(X_test_noisy, data.flat("test"))
        _save(fig, out, f"{result.name}.png", title,
              f"Gaussian noise of standard deviation {NOISE_FACTOR}, clipped to "
              f"[0, 1], leaves an MSE of {noise:.4f} per pixel in the inputs. "
              + _errors(result), figures)
    else:
        ReconstructionDisplay.from_estimator(
            result.estimator, X, n_images=None, noise_factor=0.0,
            image_shape=data.image_shape, ax=axes,
        )
        title = (f"{result.name} ({result.code_size}-value code): test digits "
                 "(top), reconstructions (bottom)")
        fig.suptitle(title)
        _save(fig, out, f"reconstructions_{result.name}.png", title,
              _errors(result), figures)


def _overview_rows(results, X_show, X_noisy):
    """(label, images) rows: each model after the PCA of its own code size."""
    rows, shown = [("original", X_show)], set()
    for r in results:
        k = r.pca_components
        if _MODELS[r.name].noisy:
            rows += [("noisy input", X_noisy),
                     (f"PCA ({k}) of noisy", r.pca.inverse_transform(
                         r.pca.transform(X_noisy))),
                     (f"denoised ({r.code_size})", r.estimator.reconstruct(X_noisy))]
            continue
        if k not in shown:
            shown.add(k)
            rows.append((f"PCA ({k})",
                         r.pca.inverse_transform(r.pca.transform(X_show))))
        rows.append((f"{r.name} ({r.code_size})", r.estimator.reconstruct(X_show)))
    return rows


def _figure_all_reconstructions(results, data, out, figures, n_images, X_test_noisy):
    """One figure: originals, then each model after its PCA baseline."""
    from .plotting import _show_image

    rows = _overview_rows(results, data.flat("test")[:n_images],
                          X_test_noisy[:n_images])
    fig = _figure((1.1 * n_images + 0.8, 1.1 * len(rows) + 0.6))
    axes = fig.subplots(len(rows), n_images, squeeze=False)
    for i, (label, imgs) in enumerate(rows):
        imgs = np.asarray(imgs).reshape((len(imgs),) + data.image_shape)
        for j in range(n_images):
            _show_image(axes[i, j], imgs[j], "gray", 0.0, 1.0)
        axes[i, 0].set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center")
    title = "Test digits, reconstructed by each model and by PCA"
    fig.suptitle(title)
    _save(fig, out, "reconstructions.png", title,
          "In parentheses: a model's code size, or PCA's number of components. "
          "Each PCA row is the baseline of the models below it with that code "
          "size (the table compares every model with PCA of its own size); the "
          "denoiser's rows show its noisy input, PCA of that input and its output.",
          figures)


def _figure_codes(result, data, out, figures, n_images):
    from .plotting import CodeDisplay, _estimator_code_images

    codes = _estimator_code_images(result.estimator, data.flat("test")[:n_images])
    ratio = codes.shape[1] / codes.shape[2]  # height / width of one code image
    fig = _figure((1.0 * n_images, min(4.5, 0.9 + 0.8 * ratio)))
    axes = fig.subplots(1, n_images, squeeze=False)
    CodeDisplay(codes).plot(ax=axes)
    title = (f"{result.name}: codes of the first test digits "
             f"({result.code_size} values each)")
    fig.suptitle(title)
    all_codes = np.asarray(result.estimator.transform(data.flat("test")))
    _save(fig, out, f"codes_{result.name}.png", title,
          f"Each code drawn as a {codes.shape[1]}x{codes.shape[2]} image, for the "
          f"digits of the reconstruction figure. Mean code value over the test "
          f"set: {all_codes.mean():.3g} (the L1 penalty of the sparse model "
          f"pushes it down).", figures)


def _figure_losses(results, out, figures):
    from .plotting import LossCurveDisplay

    n = len(results)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig = _figure((3.6 * cols, 2.8 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, r in zip(axes, results):
        LossCurveDisplay.from_estimator(r.estimator, ax=ax, title=r.name)
    for ax in axes[n:]:
        ax.set_visible(False)
    title = "Training and validation loss per epoch"
    fig.suptitle(title)
    _save(fig, out, "loss_curves.png", title,
          "The loss is the binary cross-entropy per pixel (the sparse model's "
          "includes its L1 penalty); the VAE's is its negative ELBO, in nats "
          "per image. The validation curve is on the 10% of the training images "
          "held out. The tutorial shows the same curves in TensorBoard.", figures)


def _figure_vae(result, data, out, figures, config):
    from .plotting import LatentSpaceDisplay, ManifoldDisplay

    est = result.estimator
    rng = np.random.RandomState(config.random_state)
    X, y = _subset(data.flat("test"), data.y_test, 5000, rng)
    fig = _figure((6.5, 5.5))
    title = "VAE: latent means of test digits"
    LatentSpaceDisplay.from_estimator(est, X, y, ax=fig.subplots(), title=title)
    _save(fig, out, "vae_latent.png", title,
          f"Each dot is one of {len(X)} test digits at the mean of its 2-D latent "
          f"code, coloured by its class (never seen in training). A linear probe "
          f"on these two numbers classifies {result.probe_acc:.0%} of the test "
          "digits correctly.", figures)
    fig = _figure((8, 8))
    title = "VAE: digits decoded from a 15x15 latent grid"
    ManifoldDisplay.from_estimator(est, data.flat("test"), n=15, ax=fig.subplots(),
                                   image_shape=data.image_shape, title=title)
    _save(fig, out, "vae_manifold.png", title,
          "The grid spans the 1st to 99th percentiles of the test digits' latent "
          "means on each axis: the decoder turns each point into a new digit, and "
          "neighbouring points into similar ones.", figures)


def _figure_tsne(result, data, out, figures, config):
    from .plotting import LatentSpaceDisplay

    rng = np.random.RandomState(config.random_state)
    X, y = _subset(data.flat("test"), data.y_test, 2000, rng)
    fig = _figure((6.5, 5.5))
    title = f"{result.name} autoencoder codes ({result.code_size}-D), then t-SNE"
    LatentSpaceDisplay.from_estimator(
        result.estimator, X, y, method="tsne", random_state=config.random_state,
        ax=fig.subplots(), title=title,
    )
    _save(fig, out, "tsne.png", title,
          f"{len(X)} test digits, coloured by class: the autoencoder compresses "
          f"each to {result.code_size} values, t-SNE maps those to 2-D. A linear "
          f"probe on the same codes classifies {result.probe_acc:.0%} of the test "
          "digits correctly.", figures)


def _figure_tsne_map(data, out, figures, config):
    """Fit a ParametricTSNE on the training images and draw the map of the
    held-out test digits, placed by ``transform``."""
    from sklearn.neighbors import KNeighborsClassifier

    from .plotting import LatentSpaceDisplay

    X_train = data.flat("train")
    epochs = _epochs(config)
    # Its defaults (50 epochs: no "auto"), the perplexity lowered only for
    # fewer than 91 training images (it must be less than their number).
    params = {} if epochs == "auto" else {"epochs": epochs}
    perplexity = min(30.0, (len(X_train) - 1) / 3.0)
    if perplexity < 30.0:
        params["perplexity"] = perplexity
    est = ParametricTSNE(random_state=config.random_state, **params)
    label = "parametric t-SNE map"
    logger.info("%s: ParametricTSNE, %d epochs on %d samples", label,
                est.epochs, len(X_train))
    fit_time = _timed_fit(est, X_train, "t-SNE map", config)
    rng = np.random.RandomState(config.random_state)
    X, y = _subset(data.flat("test"), data.y_test, 5000, rng)
    test_map = est.transform(X)
    knn = KNeighborsClassifier(n_neighbors=5)
    knn.fit(est.transform(X_train), data.y_train)
    acc = float(knn.score(test_map, y))
    logger.info("%s: done in %.1f s; 5-NN accuracy of the test map %.3f", label,
                fit_time, acc)
    fig = _figure((6.5, 5.5))
    title = "Parametric t-SNE: test digits placed by transform"
    LatentSpaceDisplay.from_codes(test_map, y, method="parametric_tsne",
                                  ax=fig.subplots(), title=title)
    _save(fig, out, "tsne_map.png", title,
          f"A ParametricTSNE network, fitted in {fit_time:.0f} s on the "
          f"{len(X_train)} training images ({est.n_iter_} epochs), places each of "
          f"{len(X)} test digits on its 2-D map with transform; the test digits "
          f"were never seen in fit. Coloured by class. A 5-nearest-neighbour "
          f"classifier fitted on the training images' map classifies {acc:.0%} of "
          "these test digits correctly.", figures)

# ----------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------
def run_tour(config, command="skae tour"):
    """Run the tour described by ``config``; return the list of results."""
    if not (config.epochs_scale > 0 and math.isfinite(config.epochs_scale)):
        raise TourError(f"--epochs-scale must be a positive number, got "
                        f"{config.epochs_scale}.")
    if config.n_train is not None and config.n_train < 10:
        raise TourError(f"--n-train must be at least 10, got {config.n_train}.")
    models = check_models(config.models)
    start = time.perf_counter()
    data = load_tour_data(config.data, quick=config.quick, n_train=config.n_train,
                          random_state=config.random_state)
    out = Path(config.out)
    if out.exists() and not out.is_dir():
        raise TourError(f"--out {str(out)!r} exists and is not a directory.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TourError(f"cannot create the output directory {str(out)!r}: "
                        f"{exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise TourError(f"cannot write to the output directory {str(out)!r}.")
    logger.info("data: %s, %d train / %d test images; models: %s", data.name,
                len(data.X_train), len(data.X_test), ", ".join(models))
    if config.quick:
        logger.info("--quick: a smoke test, 2 epochs per model; the models will "
                    "be barely trained")
    X_test_noisy = _noisy(data.flat("test"),
                          np.random.RandomState(config.random_state + 1))
    n_images = min(config.n_images, len(data.X_test))

    results, figures = [], []
    for i, name in enumerate(models, 1):
        result = train_model(name, data, config, i, len(models), X_test_noisy)
        results.append(result)
        _figure_reconstructions(result, data, out, figures, n_images, X_test_noisy)
        if _MODELS[name].codes:
            _figure_codes(result, data, out, figures, n_images)
        if _MODELS[name].latent:
            _figure_vae(result, data, out, figures, config)
    _figure_all_reconstructions(results, data, out, figures, n_images, X_test_noisy)
    _figure_losses(results, out, figures)
    candidates = [r for r in results if _MODELS[r.name].tsne_rank is not None]
    tsne_model = min(candidates, key=lambda r: _MODELS[r.name].tsne_rank,
                     default=None)
    if tsne_model is not None:
        logger.info("t-SNE of the %s codes", tsne_model.name)
        _figure_tsne(tsne_model, data, out, figures, config)
    if models == MODEL_NAMES:  # the full tour only: --models trains just those
        _figure_tsne_map(data, out, figures, config)
    # Overview figures first in the report.
    order = {"reconstructions.png": 0, "loss_curves.png": 1}
    figures.sort(key=lambda ft: order.get(ft[0], 2))
    total = time.perf_counter() - start
    write_reports(out, data, results, figures, config, total, command)
    logger.info("wrote %s and %d figures in %.0f s", out / "report.html",
                len(figures), total)
    return results
