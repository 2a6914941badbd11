"""Visualisations of fitted autoencoders, in scikit-learn's Display style.

Each display is built with ``from_estimator`` (from a fitted skae autoencoder
and data) or from precomputed arrays (``from_predictions``, ``from_codes``,
``from_images``, ``from_history``), and drawn with ``plot``, which returns the
display with ``figure_`` and ``ax_`` attributes (``ax_`` is an array of Axes
for the displays drawn on several), as
:class:`sklearn.metrics.ConfusionMatrixDisplay` does. Every ``from_*`` method
takes ``ax`` and passes its other keyword arguments (``**plot_kwargs``) to
``plot``; code dimensions are labelled ``code[i]`` everywhere.

- :class:`ReconstructionDisplay`: originals above reconstructions (with the
  noisy inputs in between for a denoiser), grey and upright.
- :class:`CodeDisplay`: the code of each sample shown as a small image.
- :class:`LatentSpaceDisplay`: a 2-D scatter of the codes coloured by label,
  from their first two dimensions or a t-SNE of them.
- :class:`ManifoldDisplay`: the grid of samples decoded from a regular grid of
  latent points (the variational autoencoder's manifold).
- :class:`LossCurveDisplay`: training (and validation) loss per epoch.

Matplotlib is imported only when a display is drawn, never by ``import skae``.
"""

import math
from numbers import Integral

import numpy as np

from ._validation import check_image_shape

__all__ = [
    "CodeDisplay",
    "LatentSpaceDisplay",
    "LossCurveDisplay",
    "ManifoldDisplay",
    "ReconstructionDisplay",
]


# ----------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------
def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "skae.plotting needs matplotlib: pip install matplotlib (or, "
            "from the skae checkout, pip install '.[plot]')."
        ) from exc
    return plt


def _check_fitted(estimator):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)


def _flat(X):
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(
            f"Expected an array of samples (n_samples, ...), got shape {X.shape}."
        )
    return X.reshape(len(X), -1)


def _infer_image_shape(n_features):
    side = math.isqrt(int(n_features))
    if side * side != n_features:
        raise ValueError(
            f"Cannot guess the image shape of samples with {n_features} values "
            "(not a square); pass image_shape=(height, width)."
        )
    return (side, side)


def _image_shape_of(estimator):
    """Image shape from an estimator's ``sample_shape_``, or None for vectors."""
    shape = tuple(getattr(estimator, "sample_shape_", ()) or ())
    return shape if len(shape) in (2, 3) else None


def _normalise_image_shape(image_shape, n_features):
    """Return ``(h, w)`` or ``(h, w, c)`` with c in (3, 4), checking the size."""
    if image_shape is None:
        image_shape = _infer_image_shape(n_features)
    height, width, channels = check_image_shape(image_shape, channels=(1, 3, 4),
                                                n_values=n_features)
    return (height, width) if channels == 1 else (height, width, channels)


def _as_images(X, image_shape=None):
    """Samples as images of shape ``(n, h, w)`` (grey) or ``(n, h, w, c)``."""
    X = np.asarray(X, dtype=np.float64)
    if image_shape is None and X.ndim in (3, 4):
        image_shape = X.shape[1:]
    X = _flat(X)
    image_shape = _normalise_image_shape(image_shape, X.shape[1])
    return X.reshape((len(X),) + image_shape)


def _take(X, n_images):
    if n_images is None:
        return X
    if not isinstance(n_images, Integral) or n_images < 1:
        raise ValueError(f"n_images must be a positive integer, got {n_images!r}.")
    return X[:n_images]


def _axes_grid(ax, n_rows, n_cols, figsize):
    """A ``(n_rows, n_cols)`` array of Axes: new, or from ``ax``."""
    if ax is None:
        plt = _pyplot()
        fig, axes = plt.subplots(n_rows, n_cols, figsize=figsize, squeeze=False)
        return fig, axes
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"ax must hold {n_rows * n_cols} Axes ({n_rows} x {n_cols}), "
            f"got {axes.size}."
        )
    axes = axes.reshape(n_rows, n_cols)
    return axes.flat[0].figure, axes


def _single_ax(ax, figsize):
    if ax is None:
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _show_image(ax, image, cmap, vmin, vmax):
    """Draw one image upright (origin upper), without ticks."""
    kwargs = {} if image.ndim == 3 else {"cmap": cmap, "vmin": vmin, "vmax": vmax}
    im = ax.imshow(image, origin="upper", interpolation="nearest", **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def _noisy_copy(X, noise_factor, clip_range, random_state):
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    noisy = X + noise_factor * rng.normal(size=X.shape)
    if clip_range is not None:
        noisy = np.clip(noisy, clip_range[0], clip_range[1])
    return noisy.astype(np.float32)


def _grey_range(vmin, vmax):
    """``(vmin, vmax)`` of a grey scale, ``vmax`` raised to ``vmin + 1`` when
    it is not above ``vmin`` (constant images: any range shows them)."""
    vmin, vmax = float(vmin), float(vmax)
    return vmin, (vmax if vmax > vmin else vmin + 1.0)


def _encode(estimator, X):
    """Flat float64 codes of the samples ``X`` under a fitted ``estimator``."""
    codes = estimator.transform(np.asarray(X, dtype=np.float32))
    return _flat(np.asarray(codes, dtype=np.float64))


def _code_size(estimator):
    """Values per code of a fitted estimator, from its public attributes."""
    code_shape = getattr(estimator, "code_shape_", None)
    if code_shape is not None:
        return math.prod(code_shape)
    try:  # any scikit-learn transformer
        return len(estimator.get_feature_names_out())
    except (AttributeError, TypeError, ValueError):
        return 0


# ----------------------------------------------------------------------
# Reconstructions
# ----------------------------------------------------------------------
class ReconstructionDisplay:
    """Originals above their reconstructions, as grey upright images.

    For a denoising autoencoder a middle row shows the noisy inputs that were
    reconstructed, as in the Keras tutorial's denoising figure. Build it with
    :meth:`from_estimator` or :meth:`from_predictions`, then call :meth:`plot`.

    Parameters
    ----------
    originals : ndarray of shape (n_images, height, width[, channels])
        The clean samples, as images.
    reconstructions : ndarray of the same shape as ``originals``
        Their reconstructions.
    noisy : ndarray of the same shape as ``originals``, default=None
        The noisy inputs given to a denoiser, or None.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
        Figure holding the images.
    ax_ : ndarray of matplotlib.axes.Axes, shape (n_rows, n_images)
        One Axes per image: originals in the first row, then the noisy inputs
        (if any), then the reconstructions.
    images_ : ndarray of matplotlib.image.AxesImage, shape (n_rows, n_images)
        The drawn images.

    See Also
    --------
    CodeDisplay : The codes of the samples as images.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import DenseAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> from skae.plotting import ReconstructionDisplay
    >>> images, _ = load_digits_images()
    >>> X = images.reshape(len(images), -1)
    >>> ae = DenseAutoencoder(4, epochs=2, random_state=0).fit(X)
    >>> disp = ReconstructionDisplay.from_estimator(ae, X, n_images=5)
    >>> disp.ax_.shape
    (2, 5)
    >>> disp.images_[0, 0].get_array().shape  # upright 8x8 digit
    (8, 8)
    """

    def __init__(self, originals, reconstructions, noisy=None):
        self.originals = originals
        self.reconstructions = reconstructions
        self.noisy = noisy

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_images=10,
        noise_factor="auto",
        image_shape=None,
        random_state=0,
        ax=None,
        **plot_kwargs,
    ):
        """Reconstruct the first ``n_images`` samples of ``X`` and plot them.

        Parameters
        ----------
        estimator : fitted skae autoencoder
            Anything with ``reconstruct`` (and ``sample_shape_``).
        X : array-like of shape (n_samples, n_features) or (n_samples, *shape)
            Samples; the first ``n_images`` are shown.
        n_images : int, default=10
            Number of samples shown.
        noise_factor : float or "auto", default="auto"
            Standard deviation of the Gaussian noise added to the samples
            before reconstruction (then clipped to the training data's range);
            the noisy inputs get their own row. ``"auto"`` uses the
            estimator's ``noise_factor`` (0 for a plain autoencoder: no noise).
        image_shape : tuple of int, default=None
            Shape of one image; by default the estimator's ``sample_shape_``
            for image models, else a square.
        random_state : int, RandomState instance or None, default=0
            Seeds the noise.
        ax : array-like of matplotlib Axes, default=None
            Axes to draw on, ``n_rows * n_images`` of them; a new figure when
            None.
        **plot_kwargs
            Passed to :meth:`plot` (``cmap``, ``figsize``, ``titles``).

        Returns
        -------
        display : ReconstructionDisplay
        """
        _check_fitted(estimator)
        if noise_factor == "auto":
            noise_factor = float(getattr(estimator, "noise_factor", 0.0) or 0.0)
        elif not isinstance(noise_factor, (int, float)) or noise_factor < 0:
            raise ValueError(
                f"noise_factor must be 'auto' or a float >= 0, got {noise_factor!r}."
            )
        X = _take(np.asarray(X, dtype=np.float32), n_images)
        if image_shape is None:
            image_shape = _image_shape_of(estimator)
            if image_shape is None and X.ndim in (3, 4):
                image_shape = X.shape[1:]
        noisy = None
        inputs = X
        if noise_factor > 0:
            clip = getattr(estimator, "data_range_", None)
            if clip is None:
                clip = (float(X.min()), float(X.max()))
            noisy = _noisy_copy(X, noise_factor, clip, random_state)
            inputs = noisy
        reconstructions = estimator.reconstruct(inputs)
        return cls.from_predictions(
            X, reconstructions, X_noisy=noisy, image_shape=image_shape,
            n_images=None, ax=ax, **plot_kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        X,
        X_reconstructed,
        *,
        X_noisy=None,
        n_images=10,
        image_shape=None,
        ax=None,
        **plot_kwargs,
    ):
        """Plot precomputed reconstructions under their originals.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, *shape)
            Original samples.
        X_reconstructed : array-like with as many samples and values as ``X``
            Their reconstructions.
        X_noisy : array-like like ``X``, default=None
            Noisy inputs of a denoiser, drawn between the two rows.
        n_images : int or None, default=10
            Number of samples shown (None: all).
        image_shape : tuple of int, default=None
            Shape of one image; a square by default.
        ax : array-like of matplotlib Axes, default=None
            As in :meth:`plot`.
        **plot_kwargs
            Passed to :meth:`plot` (``cmap``, ``figsize``, ``titles``).

        Returns
        -------
        display : ReconstructionDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skae.plotting import ReconstructionDisplay
        >>> X = np.random.RandomState(0).rand(3, 6, 4)
        >>> disp = ReconstructionDisplay.from_predictions(X, X * 0.9)
        >>> disp.ax_.shape
        (2, 3)
        """
        X = np.asarray(X)
        if image_shape is None and X.ndim in (3, 4):
            image_shape = X.shape[1:]
        originals = _as_images(_take(X, n_images), image_shape)

        def like_originals(other, name):
            other = _take(np.asarray(other), n_images)
            if len(other) != len(originals) or _flat(other).shape[1] != _flat(X).shape[1]:
                raise ValueError(
                    f"{name} must have as many samples and values per sample as "
                    f"X: got {other.shape} for X of shape {X.shape}."
                )
            return _as_images(other, originals.shape[1:])

        reconstructions = like_originals(X_reconstructed, "X_reconstructed")
        noisy = None if X_noisy is None else like_originals(X_noisy, "X_noisy")
        return cls(originals, reconstructions, noisy).plot(ax=ax, **plot_kwargs)

    def plot(self, *, ax=None, cmap="gray", figsize=None, titles=True):
        """Draw the rows of images.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            ``n_rows * n_images`` Axes to draw on (rows first); a new figure
            when None.
        cmap : str, default="gray"
            Colormap of single-channel images.
        figsize : tuple of float, default=None
            Size of a new figure; by default 2 inches per image, 2 per row.
        titles : bool, default=True
            Label each row on its first image.

        Returns
        -------
        display : ReconstructionDisplay
            The object, with ``figure_``, ``ax_`` and ``images_`` set.
        """
        rows = [("original", self.originals)]
        if self.noisy is not None:
            rows.append(("noisy input", self.noisy))
        rows.append(("reconstruction", self.reconstructions))
        n = len(self.originals)
        if figsize is None:
            figsize = (max(2.0, 1.6 * n), 1.7 * len(rows))
        fig, axes = _axes_grid(ax, len(rows), n, figsize)
        # One grey scale for every row, from the originals' range (and 0), so
        # that the reconstructions are not contrast-stretched.
        vmin, vmax = _grey_range(min(0.0, np.min(self.originals)),
                                 np.max(self.originals))
        images = np.empty((len(rows), n), dtype=object)
        for r, (label, imgs) in enumerate(rows):
            for i in range(n):
                images[r, i] = _show_image(axes[r, i], imgs[i], cmap, vmin, vmax)
            if titles:
                axes[r, 0].set_ylabel(label, fontsize=9)
        self.figure_, self.ax_, self.images_ = fig, axes, images
        return self


# ----------------------------------------------------------------------
# Codes as images
# ----------------------------------------------------------------------
def _code_view(codes, code_shape):
    """Codes (n, k) shaped as images, following ``code_shape``."""
    n, k = codes.shape
    if code_shape is None:
        # A tall strip (k / r, r), r the largest divisor of k up to sqrt(k).
        r = max(d for d in range(1, math.isqrt(k) + 1) if k % d == 0)
        return codes.reshape(n, k // r, r)
    code_shape = tuple(int(s) for s in code_shape)
    if len(code_shape) not in (2, 3) or int(np.prod(code_shape)) != k:
        raise ValueError(
            "code_shape must be 2 or 3 ints whose product is the code size "
            f"{k}, got {code_shape}."
        )
    if len(code_shape) == 3:
        # The tutorial's view of (h, w, c) feature maps: (h, w * c), transposed.
        h, w, c = code_shape
        return codes.reshape(n, h, w * c).transpose(0, 2, 1)
    return codes.reshape((n,) + code_shape)


def _estimator_code_images(estimator, X, code_shape=None):
    """Codes of ``X`` shaped as images (the encoder's feature maps if 3-D)."""
    codes = _encode(estimator, X)
    if code_shape is None:
        shape = tuple(getattr(estimator, "code_shape_", ()))
        if len(shape) == 3 and math.prod(shape) == codes.shape[1]:
            code_shape = shape
    return _code_view(codes, code_shape)


class CodeDisplay:
    """The code of each sample shown as a small grey image.

    As the Keras tutorial does for its convolutional encoder (4x4x8 codes
    viewed as 32x4 images), each code is reshaped to a 2-D array: by default a
    tall strip ``(k / r, r)`` with ``r`` the largest divisor of the code size
    ``k`` not above its square root; for a convolutional encoder's
    ``(h, w, c)`` feature maps, the tutorial's ``(h, w * c)`` transposed.

    Parameters
    ----------
    codes : ndarray of shape (n_images, code_height, code_width)
        The codes, already shaped as images.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
    ax_ : ndarray of matplotlib.axes.Axes, shape (n_images,)
        One Axes per code.
    images_ : ndarray of matplotlib.image.AxesImage, shape (n_images,)

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import DenseAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> from skae.plotting import CodeDisplay
    >>> images, _ = load_digits_images()
    >>> X = images.reshape(len(images), -1)
    >>> ae = DenseAutoencoder(4, epochs=2, random_state=0).fit(X)
    >>> disp = CodeDisplay.from_estimator(ae, X, n_images=3)
    >>> disp.codes.shape  # three codes of 4 values shown as 2x2 images
    (3, 2, 2)
    """

    def __init__(self, codes):
        self.codes = codes

    @classmethod
    def from_estimator(
        cls, estimator, X, *, n_images=10, code_shape=None, ax=None,
        **plot_kwargs,
    ):
        """Encode the first ``n_images`` samples of ``X`` and plot the codes.

        Parameters
        ----------
        estimator : fitted skae autoencoder
            Anything with ``transform``.
        X : array-like of shape (n_samples, n_features)
            Samples; the first ``n_images`` are encoded.
        n_images : int, default=10
            Number of codes shown.
        code_shape : tuple of int, default=None
            Shape each code is shown as: ``(rows, cols)``, or ``(h, w, c)`` for
            the tutorial's view of feature maps; by default the estimator's
            ``code_shape_`` when it is a feature map, else a tall strip.
        ax : array-like of matplotlib Axes, default=None
            As in :meth:`plot`.
        **plot_kwargs
            Passed to :meth:`plot` (``cmap``, ``figsize``).

        Returns
        -------
        display : CodeDisplay
        """
        _check_fitted(estimator)
        X = _take(np.asarray(X, dtype=np.float32), n_images)
        shaped = _estimator_code_images(estimator, X, code_shape)
        return cls(shaped).plot(ax=ax, **plot_kwargs)

    @classmethod
    def from_codes(cls, codes, *, code_shape=None, n_images=10, ax=None,
                   **plot_kwargs):
        """Plot precomputed codes as images.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            Codes, e.g. the output of ``transform``.
        code_shape : tuple of int, default=None
            Shape each code is shown as: ``(rows, cols)``, or ``(h, w, c)`` for
            the tutorial's view of feature maps, ``(h, w * c)`` transposed (its
            product must be the code size); a tall strip by default.
        n_images : int or None, default=10
            Number of codes shown (None: all).
        ax : array-like of matplotlib Axes, default=None
            As in :meth:`plot`.
        **plot_kwargs
            Passed to :meth:`plot` (``cmap``, ``figsize``).

        Returns
        -------
        display : CodeDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skae.plotting import CodeDisplay
        >>> disp = CodeDisplay.from_codes(np.arange(64.0).reshape(2, 32))
        >>> disp.codes.shape
        (2, 8, 4)
        >>> CodeDisplay.from_codes(np.ones((2, 128)), code_shape=(4, 4, 8)).codes.shape
        (2, 32, 4)
        """
        codes = _flat(_take(np.asarray(codes, dtype=np.float64), n_images))
        shaped = _code_view(codes, code_shape)
        return cls(shaped).plot(ax=ax, **plot_kwargs)

    def plot(self, *, ax=None, cmap="gray", figsize=None):
        """Draw one image per code, on a shared grey scale.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per code; a new figure when None.
        cmap : str, default="gray"
            Colormap.
        figsize : tuple of float, default=None
            Size of a new figure.

        Returns
        -------
        display : CodeDisplay
            The object, with ``figure_``, ``ax_`` and ``images_`` set.
        """
        n = len(self.codes)
        h, w = self.codes.shape[1:3]
        if figsize is None:
            figsize = (max(2.0, 1.2 * n), min(8.0, max(1.5, 1.2 * n * h / max(w, 1) / n)))
        fig, axes = _axes_grid(ax, 1, n, figsize)
        axes = axes.ravel()
        vmin, vmax = _grey_range(np.min(self.codes), np.max(self.codes))
        images = np.empty(n, dtype=object)
        for i in range(n):
            images[i] = _show_image(axes[i], self.codes[i], cmap, vmin, vmax)
        self.figure_, self.ax_, self.images_ = fig, axes, images
        return self


# ----------------------------------------------------------------------
# Latent space
# ----------------------------------------------------------------------
def _embed(codes, method, random_state, perplexity):
    codes = _flat(np.asarray(codes, dtype=np.float64))
    if method in ("first", "parametric_tsne"):
        if codes.shape[1] < 2:
            raise ValueError(
                f"method={method!r} needs codes of at least 2 values, got "
                f"{codes.shape[1]}."
            )
        return codes[:, :2]
    if method == "tsne":
        from sklearn.manifold import TSNE

        n = len(codes)
        if n < 4:
            raise ValueError(f"method='tsne' needs at least 4 samples, got {n}.")
        perplexity = min(float(perplexity), (n - 1) / 3.0)
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca",
                    random_state=random_state)
        return tsne.fit_transform(codes)
    raise ValueError(f"method must be 'first', 'tsne' or 'parametric_tsne', got "
                     f"{method!r}.")


class LatentSpaceDisplay:
    """The codes as points of a plane, coloured by label.

    With 2-D codes (a variational autoencoder with ``n_components=2``) this
    is the Keras tutorial's "classes plane"; wider codes are shown through
    their first two dimensions (``method="first"``) or a t-SNE of them
    (``method="tsne"``, the tutorial's autoencoder-then-t-SNE recipe). The
    map of a :class:`~skae.ParametricTSNE` is drawn as it is, with t-SNE axis
    labels (``method="parametric_tsne"``).

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        Coordinates of the points.
    labels : ndarray of shape (n_samples,), default=None
        Class (or value) of each point, used for colours.
    method : str, default="first"
        How the embedding was obtained; used for the axis labels.

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
    ax_ : matplotlib.axes.Axes
    scatter_ : matplotlib.collections.PathCollection
    legend_ : matplotlib.legend.Legend or None
        Legend of the classes (for up to 20 discrete labels).
    colorbar_ : matplotlib.colorbar.Colorbar or None
        Colour bar (for continuous or many labels).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import DenseAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> from skae.plotting import LatentSpaceDisplay
    >>> images, y = load_digits_images()
    >>> X = images.reshape(len(images), -1)
    >>> ae = DenseAutoencoder(4, epochs=2, random_state=0).fit(X)
    >>> disp = LatentSpaceDisplay.from_estimator(ae, X, y)
    >>> disp.embedding.shape
    (1797, 2)
    """

    def __init__(self, embedding, labels=None, method="first"):
        self.embedding = embedding
        self.labels = labels
        self.method = method

    @classmethod
    def from_estimator(
        cls, estimator, X, y=None, *, method="first", random_state=0,
        perplexity=30.0, ax=None, **plot_kwargs,
    ):
        """Encode ``X`` and plot the codes in the plane.

        Parameters
        ----------
        estimator : fitted skae autoencoder
            Anything with ``transform`` (for a variational autoencoder, the
            latent means).
        X : array-like of shape (n_samples, n_features)
            Samples to encode.
        y : array-like of shape (n_samples,), default=None
            Labels for the colours.
        method : {"first", "tsne", "parametric_tsne"}, default="first"
            Plot the first two code dimensions, or a 2-D t-SNE of the codes;
            ``"parametric_tsne"`` plots the first two dimensions too, labelled
            as the t-SNE map they are (the codes of a ``ParametricTSNE``).
        random_state : int, RandomState instance or None, default=0
            Seeds t-SNE.
        perplexity : float, default=30.0
            t-SNE's perplexity (lowered for small samples).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : LatentSpaceDisplay
        """
        _check_fitted(estimator)
        codes = _encode(estimator, X)
        return cls.from_codes(codes, y, method=method, random_state=random_state,
                              perplexity=perplexity, ax=ax, **plot_kwargs)

    @classmethod
    def from_codes(
        cls, codes, y=None, *, method="first", random_state=0, perplexity=30.0,
        ax=None, **plot_kwargs,
    ):
        """Plot precomputed codes (or any features) in the plane.

        Parameters
        ----------
        codes : array-like of shape (n_samples, n_components)
            Codes, e.g. the output of ``transform``.
        y : array-like of shape (n_samples,), default=None
            Labels for the colours.
        method, random_state, perplexity, ax, **plot_kwargs
            As in :meth:`from_estimator`.

        Returns
        -------
        display : LatentSpaceDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skae.plotting import LatentSpaceDisplay
        >>> codes = np.random.RandomState(0).rand(20, 2)
        >>> disp = LatentSpaceDisplay.from_codes(codes, np.arange(20) % 3)
        >>> disp.scatter_.get_offsets().shape
        (20, 2)
        """
        codes = np.asarray(codes)
        if y is not None:
            y = np.asarray(y).ravel()
            if len(y) != len(codes):
                raise ValueError(
                    f"y has {len(y)} labels for {len(codes)} samples."
                )
        embedding = _embed(codes, method, random_state, perplexity)
        return cls(embedding, y, method).plot(ax=ax, **plot_kwargs)

    def plot(self, *, ax=None, cmap=None, s=None, alpha=0.8, figsize=(6, 6),
             title=None):
        """Draw the scatter plot.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str, default=None
            Colormap; "tab10" for up to 10 classes, "viridis" otherwise.
        s : float, default=None
            Marker size; chosen from the number of points by default.
        alpha : float, default=0.8
            Marker opacity.
        figsize : tuple of float, default=(6, 6)
            Size of a new figure.
        title : str, default=None
            Title of the Axes.

        Returns
        -------
        display : LatentSpaceDisplay
            The object, with ``figure_``, ``ax_`` and ``scatter_`` set.
        """
        fig, ax = _single_ax(ax, figsize)
        emb = np.asarray(self.embedding)
        if s is None:
            s = float(np.clip(3000.0 / max(len(emb), 1), 2.0, 30.0))
        self.legend_ = None
        self.colorbar_ = None
        if self.labels is None:
            self.scatter_ = ax.scatter(emb[:, 0], emb[:, 1], s=s, alpha=alpha)
        else:
            labels = np.asarray(self.labels)
            classes = np.unique(labels)
            discrete = labels.dtype.kind in "iub" or labels.dtype.kind in "OUS"
            if discrete and len(classes) <= 20:
                index = np.searchsorted(classes, labels)
                n_colors = 10 if len(classes) <= 10 else 20
                cmap = cmap or f"tab{n_colors}"
                vmax = n_colors - 0.5 if cmap in ("tab10", "tab20") else len(classes) - 0.5
                self.scatter_ = ax.scatter(
                    emb[:, 0], emb[:, 1], c=index, cmap=cmap, s=s, alpha=alpha,
                    vmin=-0.5, vmax=vmax,
                )
                handles, _ = self.scatter_.legend_elements(
                    num=list(range(len(classes)))
                )
                self.legend_ = ax.legend(
                    handles, [str(c) for c in classes], title="label",
                    loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
                    frameon=False,
                )
            else:
                self.scatter_ = ax.scatter(emb[:, 0], emb[:, 1], c=labels,
                                           cmap=cmap or "viridis", s=s, alpha=alpha)
                self.colorbar_ = fig.colorbar(self.scatter_, ax=ax)
        names = {"first": ("code[0]", "code[1]"), "tsne": ("t-SNE 1", "t-SNE 2"),
                 "parametric_tsne": ("t-SNE 1", "t-SNE 2")}
        xlabel, ylabel = names.get(self.method, ("dim 1", "dim 2"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if title is not None:
            ax.set_title(title)
        self.figure_, self.ax_ = fig, ax
        return self


# ----------------------------------------------------------------------
# Latent manifold
# ----------------------------------------------------------------------
def _latent_ranges(codes, latent_range, dims):
    """``[(xlow, xhigh), (ylow, yhigh)]`` of the two scanned code dimensions."""
    if latent_range is None:
        if codes is None:
            return [(-3.0, 3.0), (-3.0, 3.0)]
        return [tuple(np.percentile(codes[:, d], [1, 99])) for d in dims]
    lr = np.asarray(latent_range, dtype=float)
    ranges = [tuple(lr), tuple(lr)] if lr.shape == (2,) else [tuple(r) for r in lr]
    if np.asarray(ranges).shape != (2, 2):
        raise ValueError(
            "latent_range must be (low, high) or ((xlow, xhigh), (ylow, yhigh))."
        )
    return ranges


def _latent_grid(estimator, X, n, latent_range, dims):
    """``(Z, grid_x, grid_y)``: the ``n * n`` latent points to decode, row by
    row from the top, and the coordinates of the columns and rows."""
    if X is not None:
        codes = _encode(estimator, X)
        n_components = codes.shape[1]
        center = np.median(codes, axis=0)
    else:
        codes = None
        n_components = _code_size(estimator)
        center = np.zeros(n_components)
    if n_components < 2:
        raise ValueError(
            f"ManifoldDisplay needs codes of at least 2 values, got {n_components}."
        )
    dx, dy = (int(d) for d in dims)
    if dx == dy or not (0 <= dx < n_components and 0 <= dy < n_components):
        raise ValueError(f"dims must be two distinct code dimensions, got {dims}.")
    ranges = _latent_ranges(codes, latent_range, (dx, dy))
    grid_x = np.linspace(ranges[0][0], ranges[0][1], n)
    grid_y = np.linspace(ranges[1][0], ranges[1][1], n)[::-1]  # top row first
    Z = np.tile(center.astype(np.float32), (n * n, 1))
    yy, xx = np.meshgrid(grid_y, grid_x, indexing="ij")
    Z[:, dx] = xx.ravel()
    Z[:, dy] = yy.ravel()
    return Z, grid_x, grid_y


def _mosaic(imgs, gap):
    """The ``(n_rows, n_cols, h, w[, c])`` images as one array, ``gap``
    pixels apart: white for RGB, masked (the colormap's "bad" colour)
    otherwise, over zeros (``masked_all`` leaves uninitialised values, which
    matplotlib's normalisation still computes on)."""
    n_rows, n_cols, h, w = imgs.shape[:4]
    extra = imgs.shape[4:]
    if gap == 0:
        # (r, c, h, w[, ch]) -> (r * h, c * w[, ch])
        return imgs.swapaxes(1, 2).reshape((n_rows * h, n_cols * w) + extra)
    shape = (n_rows * (h + gap) - gap, n_cols * (w + gap) - gap) + extra
    mosaic = (np.ones(shape) if extra
              else np.ma.masked_array(np.zeros(shape), mask=True))
    for i in range(n_rows):
        for j in range(n_cols):
            r, c = i * (h + gap), j * (w + gap)
            mosaic[r:r + h, c:c + w] = imgs[i, j]
    return mosaic


def _grid_ticks(axis, grid, size, count, gap, n_ticks):
    """Label about ``n_ticks`` of the ``count`` cells of ``axis`` (each
    ``size`` pixels, ``gap`` apart) with their latent coordinate."""
    if grid is None or len(grid) != count:
        axis.set_ticks([])
        return
    step = max(1, int(math.ceil(count / max(n_ticks, 1))))
    idx = np.arange(0, count, step)
    axis.set_ticks(idx * (size + gap) + (size - 1) / 2.0)
    axis.set_ticklabels([f"{float(grid[i]):.2g}" for i in idx])


class ManifoldDisplay:
    """Samples decoded from a regular grid of latent points, as one mosaic.

    The Keras tutorial's variational autoencoder figure: a 2-D latent plane
    is scanned at regular intervals and each point decoded into a digit. Rows
    run from the largest second coordinate (top) to the smallest, so the
    mosaic has the orientation of :class:`LatentSpaceDisplay`'s scatter plot;
    each digit is drawn upright.

    Parameters
    ----------
    images : ndarray of shape (n_rows, n_cols, height, width)
        Decoded images in display order (top row first).
    grid_x : ndarray of shape (n_cols,), default=None
        First latent coordinate of each column (left to right).
    grid_y : ndarray of shape (n_rows,), default=None
        Second latent coordinate of each row (top to bottom).
    dims : tuple of (int, int), default=(0, 1)
        The code dimensions of ``grid_x`` and ``grid_y``, which label the
        axes (``code[i]``).

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
    ax_ : matplotlib.axes.Axes
    image_ : matplotlib.image.AxesImage
        The drawn mosaic.
    mosaic_ : ndarray of shape (n_rows * height, n_cols * width)
        The mosaic array.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import DenseAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> from skae.plotting import ManifoldDisplay
    >>> images, _ = load_digits_images()
    >>> X = images.reshape(len(images), -1)
    >>> ae = DenseAutoencoder(2, epochs=2, random_state=0).fit(X)
    >>> disp = ManifoldDisplay.from_estimator(ae, X, n=5)
    >>> disp.mosaic_.shape  # 5 x 5 digits of 8x8 pixels, 1 pixel apart
    (44, 44)
    >>> disp.ax_.get_xlabel(), disp.ax_.get_ylabel()
    ('code[0]', 'code[1]')
    """

    def __init__(self, images, grid_x=None, grid_y=None, dims=(0, 1)):
        self.images = images
        self.grid_x = grid_x
        self.grid_y = grid_y
        self.dims = dims

    @classmethod
    def from_estimator(
        cls, estimator, X=None, *, n=15, latent_range=None, dims=(0, 1),
        image_shape=None, ax=None, **plot_kwargs,
    ):
        """Decode an ``n`` x ``n`` grid of latent points and plot the mosaic.

        Parameters
        ----------
        estimator : fitted skae autoencoder
            Anything with ``inverse_transform`` (for a variational autoencoder,
            the decoder of latent points).
        X : array-like of shape (n_samples, n_features), default=None
            Samples whose codes set the default range (their 1st to 99th
            percentiles) and the value of the code dimensions not scanned
            (their median). Without ``X`` the range is (-3, 3), which covers
            a variational autoencoder's standard normal prior, and the other
            dimensions are 0.
        n : int, default=15
            Grid points per axis.
        latent_range : tuple of float, default=None
            ``(low, high)`` for both scanned dimensions, or
            ``((xlow, xhigh), (ylow, yhigh))``.
        dims : tuple of int, default=(0, 1)
            The two code dimensions scanned.
        image_shape : tuple of int, default=None
            Shape of one decoded image; by default the estimator's image shape,
            else a square.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : ManifoldDisplay
        """
        _check_fitted(estimator)
        if not isinstance(n, Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        Z, grid_x, grid_y = _latent_grid(estimator, X, n, latent_range, dims)
        decoded = np.asarray(estimator.inverse_transform(Z))
        if image_shape is None:
            image_shape = _image_shape_of(estimator)
        imgs = _as_images(decoded, image_shape)
        imgs = imgs.reshape((n, n) + imgs.shape[1:])
        return cls(imgs, grid_x, grid_y, tuple(int(d) for d in dims)).plot(
            ax=ax, **plot_kwargs)

    @classmethod
    def from_images(cls, images, grid_x=None, grid_y=None, *, dims=(0, 1),
                    image_shape=None, ax=None, **plot_kwargs):
        """Plot a precomputed grid of decoded images.

        Parameters
        ----------
        images : array-like
            Decoded images in display order (top row first): a grid of shape
            ``(n_rows, n_cols, height, width[, channels])``, or a square number
            of images as ``(n * n, n_features)`` or ``(n * n, height, width)``.
        grid_x, grid_y : array-like, default=None
            Latent coordinates of the columns and rows, for the tick labels.
        dims : tuple of (int, int), default=(0, 1)
            The code dimensions of ``grid_x`` and ``grid_y``, for the axis
            labels.
        image_shape : tuple of int, default=None
            Shape of one image; inferred when the images are not flat.
        ax : matplotlib Axes, default=None
            As in :meth:`plot`.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : ManifoldDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skae.plotting import ManifoldDisplay
        >>> disp = ManifoldDisplay.from_images(np.zeros((9, 64)), gap=0)
        >>> disp.mosaic_.shape
        (24, 24)
        """
        images = np.asarray(images, dtype=np.float64)
        if images.ndim in (2, 3):
            count = len(images)
            side = math.isqrt(count)
            if side * side != count:
                raise ValueError(
                    f"{count} images do not make a square grid; pass them as "
                    "(n_rows, n_cols, height, width)."
                )
            imgs = _as_images(images, image_shape)
            imgs = imgs.reshape((side, side) + imgs.shape[1:])
        elif images.ndim in (4, 5):
            imgs = images
            if imgs.ndim == 5 and imgs.shape[-1] == 1:
                imgs = imgs[..., 0]
        else:
            raise ValueError(
                "images must be (n_rows, n_cols, height, width) or a square "
                f"number of images, got shape {images.shape}."
            )
        return cls(imgs, grid_x, grid_y, dims).plot(ax=ax, **plot_kwargs)

    def plot(self, *, ax=None, cmap="gray", figsize=(8, 8), title=None,
             n_ticks=5, gap=None):
        """Draw the mosaic of decoded images.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        cmap : str, default="gray"
            Colormap.
        figsize : tuple of float, default=(8, 8)
            Size of a new figure.
        title : str, default=None
            Title of the Axes.
        n_ticks : int, default=5
            Number of labelled ticks per axis (when the grid is known).
        gap : int, default=None
            Pixels of white between neighbouring images; by default 1 for
            small images (under 16 pixels a side, where adjacent digits would
            run together) and 0 otherwise, as in the tutorial.

        Returns
        -------
        display : ManifoldDisplay
            The object, with ``figure_``, ``ax_``, ``image_`` and ``mosaic_``
            (the drawn array; a masked array, masked in the gaps, when
            ``gap > 0``).
        """
        imgs = np.asarray(self.images, dtype=np.float64)
        n_rows, n_cols, h, w = imgs.shape[:4]
        if gap is None:
            gap = 1 if max(h, w) < 16 else 0
        gap = int(gap)
        if gap < 0:
            raise ValueError(f"gap must be >= 0, got {gap}.")
        mosaic = _mosaic(imgs, gap)
        fig, ax = _single_ax(ax, figsize)
        kwargs = {}
        if imgs.ndim == 4:
            from matplotlib import colormaps

            kwargs = {
                "cmap": colormaps[cmap].with_extremes(bad="white"),
                "vmin": min(0.0, float(imgs.min())),
                "vmax": max(1.0, float(imgs.max())),
            }
        self.image_ = ax.imshow(mosaic, origin="upper", interpolation="nearest",
                                **kwargs)
        _grid_ticks(ax.xaxis, self.grid_x, w, n_cols, gap, n_ticks)
        _grid_ticks(ax.yaxis, self.grid_y, h, n_rows, gap, n_ticks)
        dx, dy = self.dims
        if self.grid_x is not None:
            ax.set_xlabel(f"code[{dx}]")
        if self.grid_y is not None:
            ax.set_ylabel(f"code[{dy}]")
        if title is not None:
            ax.set_title(title)
        self.figure_, self.ax_, self.mosaic_ = fig, ax, mosaic
        return self


# ----------------------------------------------------------------------
# Loss curves
# ----------------------------------------------------------------------
class LossCurveDisplay:
    """Training and validation loss per epoch (the tutorial's TensorBoard view).

    Parameters
    ----------
    history : dict of str to list of float
        Per-epoch values, as in an estimator's ``history_`` (keys ``"loss"``
        and, with a validation fraction, ``"val_loss"``).

    Attributes
    ----------
    figure_ : matplotlib.figure.Figure
    ax_ : matplotlib.axes.Axes
    lines_ : dict of str to matplotlib.lines.Line2D
        One line per plotted key.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skae import DenseAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> from skae.plotting import LossCurveDisplay
    >>> images, _ = load_digits_images()
    >>> X = images.reshape(len(images), -1)
    >>> ae = DenseAutoencoder(4, epochs=2, validation_fraction=0.2,
    ...                       random_state=0).fit(X)
    >>> disp = LossCurveDisplay.from_estimator(ae)
    >>> sorted(disp.lines_)
    ['loss', 'val_loss']
    """

    def __init__(self, history):
        self.history = history

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **plot_kwargs):
        """Plot a fitted estimator's ``history_``.

        Parameters
        ----------
        estimator : fitted skae autoencoder
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        _check_fitted(estimator)
        history = getattr(estimator, "history_", None)
        if not history:
            raise ValueError(f"{type(estimator).__name__} has no history_ to plot.")
        return cls.from_history(history, ax=ax, **plot_kwargs)

    @classmethod
    def from_history(cls, history, *, ax=None, **plot_kwargs):
        """Plot a precomputed history.

        Parameters
        ----------
        history : dict of str to list of float, or keras.callbacks.History
            Per-epoch values.
        ax, **plot_kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skae.plotting import LossCurveDisplay
        >>> disp = LossCurveDisplay.from_history({"loss": [0.3, 0.2, 0.15]})
        >>> disp.lines_["loss"].get_xdata().tolist()
        [1, 2, 3]
        """
        history = getattr(history, "history", history)
        if not isinstance(history, dict) or not history:
            raise ValueError("history must be a non-empty dict of per-epoch lists.")
        history = {str(k): [float(v) for v in vals] for k, vals in history.items()}
        return cls(history).plot(ax=ax, **plot_kwargs)

    def plot(self, *, ax=None, keys=None, log_scale=False, figsize=(6, 4),
             title=None):
        """Draw one line per key.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        keys : list of str, default=None
            Keys to draw; by default ``"loss"`` and ``"val_loss"`` when
            present, else every key.
        log_scale : bool, default=False
            Logarithmic y axis.
        figsize : tuple of float, default=(6, 4)
            Size of a new figure.
        title : str, default=None
            Title of the Axes.

        Returns
        -------
        display : LossCurveDisplay
            The object, with ``figure_``, ``ax_`` and ``lines_`` set.
        """
        if keys is None:
            keys = [k for k in ("loss", "val_loss") if k in self.history]
            keys = keys or list(self.history)
        missing = [k for k in keys if k not in self.history]
        if missing:
            raise ValueError(f"history has no key(s) {missing}; it has {list(self.history)}.")
        fig, ax = _single_ax(ax, figsize)
        self.lines_ = {}
        for key in keys:
            values = self.history[key]
            (self.lines_[key],) = ax.plot(
                np.arange(1, len(values) + 1), values, label=key,
                marker="." if len(values) <= 30 else None,
            )
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        if log_scale:
            ax.set_yscale("log")
        ax.legend()
        ax.grid(alpha=0.3)
        if title is not None:
            ax.set_title(title)
        self.figure_, self.ax_ = fig, ax
        return self
