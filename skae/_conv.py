"""Convolutional autoencoder: the tutorial's conv model and its image denoiser."""

import math
from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._validation import (
    ACTIVATIONS,
    check_image_shape,
    check_kernel_size,
    check_layer_sizes,
)


class ConvAutoencoder(BaseAutoencoder):
    """Convolutional autoencoder for images, as a scikit-learn transformer.

    The encoder has one downsampling block per entry of ``filters``, each
    halving the image's sides (rounding up): by default a ``Conv2D`` with a
    stride of 2 (``pooling="stride"``), or a ``Conv2D`` followed by a 2x2
    max or average pooling. With ``n_components`` set (the default, 32) the
    last feature map is flattened into a linear ``Dense`` code of that many
    values, so the model replaces ``PCA(n_components)`` in a pipeline; the
    decoder maps the code back with a ``Dense`` layer and one upsampling block
    per filter, mirrored (``Conv2DTranspose`` with a stride of 2, or
    ``Conv2D`` + ``UpSampling2D``), and a last ``Conv2D`` to the image's
    channels. The defaults (``filters="auto"``: blocks of 32, 64 and 128
    filters, as many as the image's size allows; strided convolutions) were
    chosen on validation splits of MNIST and the bundled digits.

    With ``n_components=None`` the code is the last feature map itself,
    flattened, as in the Keras tutorial. Its convolutional autoencoder is
    ``ConvAutoencoder(None, image_shape=(28, 28, 1), filters=(16, 8, 8),
    pooling="max", epochs=50, batch_size=128)``: 28 -> 14 -> 7 -> 4 pixels, a
    (4, 4, 8) code of 128 values, and back. Upsampling 4 three times gives 32
    pixels, not 28; like the tutorial, the decoder's last convolution before
    the final upsampling is then unpadded (16 -> 14 -> 28). In general, when
    both sides overshoot by exactly ``2 * (kernel_size - 1)`` that same trick
    is used (pooling only); otherwise the surplus rows and columns are cropped
    (``Cropping2D``, at the bottom and right, where the downsampling padded),
    so the output always has the input's size.

    The tutorial's image denoiser is ``ConvAutoencoder(None, filters=(32, 32),
    pooling="max", noise_factor=0.5)`` (a (7, 7, 32) code on MNIST): Gaussian
    noise is added to the inputs during training only, and
    ``reconstruct(X_noisy)`` returns the cleaned images.

    Parameters
    ----------
    n_components : int or None, default=32
        Size of the code: a linear ``Dense`` layer after the convolutions. At
        most the number of values per image. None: the last feature map is
        the code (the tutorial's), of ``ceil(h / 2**L) * ceil(w / 2**L) *
        filters[-1]`` values with ``L = len(filters)``.
    image_shape : tuple of int or None, default=None
        ``(height, width, channels)`` of the images (``(height, width)`` means
        one channel). Flat input rows of ``height * width * channels`` values
        are reshaped to it (channels last, as ``x.reshape(n, -1)`` flattens an
        ``(n, h, w, c)`` array). None infers it from the data: the per-sample
        shape of ``(n, h, w, c)`` or ``(n, h, w)`` input; else, for flat input,
        a square single-channel image when ``n_features`` is a perfect square,
        and otherwise a one-row image ``(1, n_features, 1)``, which makes the
        model a 1-D convolutional autoencoder over the features in their
        order. A side of one pixel is never downsampled and its kernel is 1
        wide.
    filters : tuple of int or "auto", default="auto"
        Filters of the encoder's convolutions, one downsampling per entry; the
        decoder uses them in reverse. ``"auto"``: the first entries of (32,
        64, 128) that leave every downsampled side at least 2 pixels (one
        entry at least): all three on 28x28 MNIST (a 4x4 last map), (32, 64)
        on the 8x8 digits. On the MNIST validation split the third block
        raised the linear probe on 32 codes from 0.927 / 0.924 to 0.938 /
        0.938 (two seeds) and lowered the error by 7%, for about twice the
        training time of (32, 64).
    kernel_size : int or tuple of (int, int), default=3
        Size of every convolution kernel.
    activation : str, default="relu"
        Activation of the convolutions (the output layer's is set by the loss:
        sigmoid for binary cross-entropy, linear otherwise).
    pooling : {"stride", "max", "average"}, default="stride"
        Downsampling of the encoder: convolutions with a stride of 2 (and
        transposed convolutions in the decoder), or ``MaxPooling2D`` (the
        tutorial's) or ``AveragePooling2D`` (and ``UpSampling2D``).
    noise_factor : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training only (denoising autoencoder, the tutorial uses ``0.5``); noisy
        inputs are clipped to the training data's range, and the targets stay
        clean. ``transform`` and ``reconstruct`` never add noise.
    loss : {"auto", "binary_crossentropy", "mse", "mae", "huber"}, default="auto"
        Reconstruction loss. ``"auto"`` picks binary cross-entropy (with a
        sigmoid output) when the training data lies in [0, 1], mean squared
        error (with a linear output) otherwise. ``"huber"``: squared error
        for errors up to one ``scale_`` (the data's spread), absolute error
        beyond.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified).
    learning_rate : float, default=1e-3
        Learning rate when ``optimizer`` is a name.
    epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"`` runs enough epochs for
        about 3,000 gradient steps, between 10 and 200 epochs (more
        passes over a small data set, fewer over a large one); the tutorial
        trains its conv model for 50 epochs and its denoiser for 100, with
        batches of 128.
    batch_size : int or "auto", default="auto"
        Samples per gradient step. ``"auto"`` is ``n_samples // 64`` within
        [32, 128]: small data sets get small batches.
    shuffle : bool, default=True
        Reshuffle the training data every epoch (seeded by ``random_state``).
    validation_fraction : float, default=0.0
        Fraction of the training data held out to report ``val_loss`` in
        ``history_`` and, with ``early_stopping``, to stop on.
    early_stopping : bool, default=False
        Stop when the monitored loss (``val_loss`` if a validation fraction is
        set, else ``loss``) has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the best weights.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=0.0
        Minimum improvement that counts for early stopping.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for ``fit`` (e.g. ``keras.callbacks.TensorBoard``).
    warm_start : bool, default=False
        When True, a further ``fit`` continues training the existing network.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and noise. An int gives the same
        model, and the same codes, on every run on CPU. No global seed is set.
    verbose : int, default=0
        Keras' verbosity during training: 0 silent, 1 progress bar, 2 one line
        per epoch.

    Attributes
    ----------
    model_ : keras.Model
        The trained autoencoder (image to reconstruction).
    encoder_ : keras.Model
        The encoder (image to code), a part of ``model_``.
    decoder_ : keras.Model
        The decoder (code to image), a part of ``model_``.
    history_ : dict of str to list of float
        Loss (and ``val_loss``) per epoch, accumulated over warm starts.
    loss_ : str
        The loss used for training and scoring.
    data_range_ : tuple of (float, float)
        Smallest and largest value of the training data: the range that
        chose the loss (``loss="auto"``) and that the training noise is
        clipped to.
    mean_ : ndarray of shape image_shape or None
        Mean of each pixel and channel over the training data, for data
        outside [0, 1]: the encoder reads its inputs less it and the decoder
        adds it back, as :class:`~sklearn.decomposition.PCA` centres, so that
        data far from zero train as well as data near it. None for data in [0,
        1], which the network reads as they are.
    scale_ : float or None
        Spread of the training images, the root mean variance of the pixels
        (and channels) that vary, for losses in the images' units (squared,
        absolute, Huber): the encoder reads the centred images over it, the
        decoder's output is multiplied by it, and training measures errors
        in units of it, so that images as bytes (0-255) or in any other units
        train the same model. None with binary cross-entropy (images in
        [0, 1]).
    code_shape_ : tuple of int
        Shape of one code as the encoder outputs it: ``(n_components,)``, or
        with ``n_components=None`` the last feature map ``(height, width,
        filters[-1])``, which ``transform`` flattens.
    n_iter_ : int
        Number of epochs run.
    sample_shape_ : tuple of int
        ``(height, width, channels)`` of the images the network sees.
    n_features_in_ : int
        Number of features (pixel values) per sample seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` had string column
        names.

    See Also
    --------
    DenseAutoencoder : Fully-connected autoencoder.
    sklearn.decomposition.PCA : Linear dimensionality reduction.

    Notes
    -----
    ``transform`` returns flat codes of shape ``(n_samples, n_components)``;
    ``inverse_transform`` and ``reconstruct`` return images in the layout seen
    by ``fit``: flat rows for flat input, ``(n, h, w, c)`` or ``(n, h, w)``
    arrays for image input.

    Examples
    --------
    >>> from skae import ConvAutoencoder
    >>> from skae.datasets import load_digits_images
    >>> images, _ = load_digits_images()          # (1797, 8, 8) in [0, 1]
    >>> X = images.reshape(len(images), -1)       # flat rows of 64 pixels
    >>> ae = ConvAutoencoder(8, epochs=2, random_state=0).fit(X)  # 8x8 inferred
    >>> ae.transform(X[:3]).shape                 # a code of 8 values
    (3, 8)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)

    A denoiser (the tutorial's uses ``filters=(32, 32), noise_factor=0.5`` on
    MNIST) cleans noisy images with ``reconstruct``:

    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> noisy = np.clip(X + 0.5 * rng.normal(size=X.shape), 0, 1)
    >>> den = ConvAutoencoder(None, image_shape=(8, 8, 1), filters=(32, 32),
    ...                       pooling="max", noise_factor=0.5, epochs=2,
    ...                       random_state=0).fit(X)
    >>> den.reconstruct(noisy[:3]).shape
    (3, 64)
    """

    # batch_size="auto" stays within the tutorial's 128 images a batch;
    # epochs="auto" gives about 3,000 gradient steps (20 epochs of 17,700
    # images, chosen on a validation split of MNIST and the digits).
    _auto_batch_max = 128
    _auto_steps = 3000

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "image_shape": ["array-like", None],
        "filters": ["array-like", Interval(Integral, 1, None, closed="left"),
                    StrOptions({"auto"})],
        "kernel_size": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS)],
        "pooling": [StrOptions({"stride", "max", "average"})],
    }

    def __init__(
        self,
        n_components=32,
        *,
        image_shape=None,
        filters="auto",
        kernel_size=3,
        activation="relu",
        pooling="stride",
        noise_factor=0.0,
        loss="auto",
        optimizer="adam",
        learning_rate=1e-3,
        epochs="auto",
        batch_size="auto",
        shuffle=True,
        validation_fraction=0.0,
        early_stopping=False,
        n_iter_no_change=10,
        tol=0.0,
        callbacks=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.image_shape = image_shape
        self.filters = filters
        self.kernel_size = kernel_size
        self.activation = activation
        self.pooling = pooling
        self.noise_factor = noise_factor
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------
    # Image shape
    # ------------------------------------------------------------------
    def _layout_sample_shape(self, layout):
        """Images of ``(n, h, w)`` input have one channel: ``(h, w, 1)``."""
        return layout + (1,) if len(layout) == 2 else layout

    def _sample_shape(self, n_features):
        if self.image_shape is None:
            layout = self._input_layout_  # of image input, None for flat rows
            if layout is not None and len(layout) in (2, 3):
                return check_image_shape(layout)
            if n_features < 2:
                raise ValueError(
                    f"image_shape=None cannot infer an image from {n_features} "
                    "feature(s): a convolutional autoencoder needs at least 2 "
                    "pixels per image."
                )
            side = math.isqrt(n_features)
            if side * side == n_features:
                return (side, side, 1)
            # Not square: a one-row image, i.e. a 1-D signal over the features.
            return (1, n_features, 1)
        return check_image_shape(self.image_shape, n_values=n_features)

    # ------------------------------------------------------------------
    # Networks
    # ------------------------------------------------------------------
    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets.conv import (
            auto_filters,
            build_conv_decoder,
            build_conv_encoder,
            check_image_geometry,
        )

        if isinstance(self.filters, str):  # "auto"
            filters = auto_filters(sample_shape)
        else:
            filters = check_layer_sizes(self.filters, name="filters")
        if not filters:
            raise ValueError("filters must hold at least one positive integer.")
        kernel_size = check_kernel_size(self.kernel_size)
        check_image_geometry(sample_shape, len(filters))
        n_values = math.prod(sample_shape)
        if self.n_components is not None and self.n_components > n_values:
            raise ValueError(
                f"n_components={self.n_components} is larger than an image "
                f"{sample_shape} of {n_values} values: a code as large as the "
                "input learns nothing. Use a smaller n_components, or None "
                "for the last feature map as the code."
            )
        encoder = build_conv_encoder(
            sample_shape, filters, kernel_size, self.activation, self.pooling,
            seeds, n_components=self.n_components,
        )
        code_shape = tuple(encoder.outputs[0].shape[1:])
        decoder = build_conv_decoder(
            code_shape, sample_shape, filters, kernel_size, self.activation,
            output_activation, seeds, pooling=self.pooling,
        )
        return encoder, decoder
