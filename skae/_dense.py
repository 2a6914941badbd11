"""Fully-connected autoencoder: the tutorial's simple, sparse and deep models."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._rows import principal_axes
from ._validation import ACTIVATIONS, check_layer_sizes


class DenseAutoencoder(BaseAutoencoder):
    """Fully-connected autoencoder as a scikit-learn transformer.

    The encoder maps each sample through ``hidden_layer_sizes`` to a code of
    ``n_components`` values; the decoder mirrors it back to the input space.
    The defaults (two hidden layers of 512 and 256 ELU units, a linear code,
    and for codes of 16 values or more a linear path started at PCA's
    solution) were chosen on validation splits of MNIST and the bundled digits
    so that, with only ``n_components`` set, the model reconstructs better
    than PCA of the same size. The Keras tutorial's "simplest possible
    autoencoder" (784 -> 32 -> 784 on MNIST) is ``DenseAutoencoder(32,
    hidden_layer_sizes=(), code_activation="relu", distance_weight=0,
    linear_path=False, epochs=50, batch_size=256)``; ``activity_l1=1e-4``
    gives its sparse model and ``hidden_layer_sizes=(128, 64),
    activation="relu"`` its deep one.

    Parameters
    ----------
    n_components : int, default=32
        Size of the code (the tutorial's ``encoding_dim``).
    hidden_layer_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's hidden layers, mirrored in the decoder
        (``()``: the tutorial's single code layer).
    activation : str, default="elu"
        Activation of the hidden layers (the tutorial uses ``"relu"``). ELU
        was chosen on a validation split of MNIST (the last 5,000 training
        images, two seeds): against ReLU, a 13% lower reconstruction error,
        and codes with a better linear probe and t-SNE map.
    code_activation : str, default="linear"
        Activation of the code layer: ``"linear"`` gives unbounded codes, like
        PCA's (the tutorial uses ``"relu"``, which leaves some code values at
        zero).
    activity_l1 : float, default=0.0
        L1 penalty on the code's activity, added to the loss; makes codes
        sparse (the tutorial's sparse model uses ``1e-4``).
    distance_weight : float or "auto", default="auto"
        Weight of a training term that makes the distances between codes
        follow the distances between the samples, pair by pair within each
        batch, both divided by their batch mean (so the term is free of the
        data's scale). Reconstruction alone may place two similar samples far
        apart in the code; with the term, neighbours in the code are more
        often neighbours in the data, which is what k-NN, clustering and a
        t-SNE map of the codes read. ``"auto"`` is 0.3 for codes of
        32 values or more and 0 for smaller ones: on validation splits of
        MNIST the term gave 32-value codes a better t-SNE map (5-NN accuracy
        +0.6 points over three seeds) at the same reconstruction error and a
        linear probe 0.4 points lower; at 16 values its gains were mixed, and
        2 or 8 values, which cannot follow distances between hundreds of
        pixels, came out worse on every measure (BENCHMARKS.md). 0 trains on
        the reconstruction alone, as the tutorial does.
    linear_path : bool or "auto", default="auto"
        Add a linear map beside the encoder's layers (input to code) and
        beside the decoder's (code to output), started at the principal
        components of the training data (of up to 10,000 of its rows), with
        the last layer of each stack started at zero: the network starts as
        PCA of ``n_components`` values (on data outside [0, 1]; before the
        sigmoid of data in [0, 1], at the sigmoid's tangent through PCA's
        reconstruction) and training adds what a linear map misses. Where PCA
        already reconstructs well, a network started at random ends above
        its error: the path is what lets a large code beat it. The start
        reads a covariance of ``n_features`` squared values. ``"auto"`` adds
        the path to codes of 16 values or more of data with at most 4,096
        features: on validation splits of MNIST, the digits (in [0, 1] and
        standardised) and image patches it lowered the held-out error at 16
        and 32 values by up to 64 %, while at 8 values the codes without it
        made the better features (BENCHMARKS.md). False builds the
        tutorial's networks.
    noise_factor : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training only (denoising autoencoder); noisy inputs are clipped to the
        training data's range, and the targets stay clean.
    loss : {"auto", "binary_crossentropy", "mse", "mae", "huber"}, default="auto"
        Reconstruction loss. ``"auto"`` picks binary cross-entropy (with a
        sigmoid output) when the training data lies in [0, 1], the Huber loss
        (with a linear output) otherwise: squared error for errors up to one
        ``scale_`` (the data's spread; 1 on standardised data), absolute error
        beyond, so that a few extreme values do not take the code's capacity
        (``"mse"`` reconstructs those better and gives weaker features).
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified).
    learning_rate : float, default=1e-3
        Learning rate when ``optimizer`` is a name.
    epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"`` runs enough epochs for
        about 3,500 gradient steps, between 10 and 200 epochs (more
        passes over a small data set, fewer over a large one) (50 epochs of 17,700 MNIST images).
    batch_size : int or "auto", default="auto"
        Samples per gradient step. ``"auto"`` is ``n_samples // 64`` within
        [32, 256]: small data sets get small batches.
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
        The trained autoencoder (input to reconstruction).
    encoder_ : keras.Model
        The encoder (input to code), a part of ``model_``.
    decoder_ : keras.Model
        The decoder (code to reconstruction), a part of ``model_``.
    history_ : dict of str to list of float
        Loss (and ``val_loss``) per epoch, accumulated over warm starts.
    loss_ : str
        The loss used for training and scoring.
    data_range_ : tuple of (float, float)
        Smallest and largest value of the training data: the range that
        chose the loss (``loss="auto"``) and that the training noise is
        clipped to.
    mean_ : ndarray of shape (n_features,) or None
        Mean of each feature over the training data, for data outside [0, 1]:
        the encoder reads its inputs less it and the decoder adds it back, as
        :class:`~sklearn.decomposition.PCA` centres, so that data far from
        zero train as well as data near it. None for data in [0, 1], which the
        network reads as they are.
    scale_ : float or None
        Spread of the training data, the root mean variance of the features
        that vary (1 for data standardised by ``StandardScaler``), for losses
        in the data's units (squared, absolute, Huber): the encoder reads its
        centred inputs over it, the decoder gives its outputs times it, and
        training measures errors in units of it (so the Huber loss is squared
        up to one ``scale_``), so that the same data in other units (pixel
        bytes, counts) train the same model. None with binary cross-entropy.
    code_shape_ : tuple of int
        Shape of one code, ``(n_components,)``.
    n_iter_ : int
        Number of epochs run.
    sample_shape_ : tuple of int
        Shape of one sample as the network sees it.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` had string column
        names.

    See Also
    --------
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    ConvAutoencoder : Convolutional autoencoder for images.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenseAutoencoder
    >>> X = load_digits().data / 16.0
    >>> ae = DenseAutoencoder(n_components=8, epochs=5, random_state=0).fit(X)
    >>> ae.transform(X[:3]).shape
    (3, 8)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS)],
        "code_activation": [StrOptions(ACTIVATIONS)],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
        "distance_weight": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "linear_path": ["boolean", StrOptions({"auto"})],
    }

    # Chosen on validation data: on standardised MNIST, Huber codes beat PCA's
    # as features where squared-error codes lose (BENCHMARKS.md).
    _unbounded_loss = "huber"

    # distance_weight="auto": (smallest code size, weight); smaller codes get
    # no term (chosen on validation data, BENCHMARKS.md).
    _auto_distance = (32, 0.3)

    # linear_path="auto": (smallest code size, most features) that get the
    # path; the size chosen on validation data (BENCHMARKS.md), the features
    # bound the start's covariance (4,096 squared floats, 128 MB).
    _auto_linear = (16, 4096)

    def __init__(
        self,
        n_components=32,
        *,
        hidden_layer_sizes=(512, 256),
        activation="elu",
        code_activation="linear",
        activity_l1=0.0,
        distance_weight="auto",
        linear_path="auto",
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation
        self.activity_l1 = activity_l1
        self.distance_weight = distance_weight
        self.linear_path = linear_path
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

    def _resolve_fit_state(self, X, warm):
        """The base's fit state; a new fit with ``linear_path`` also takes the
        principal axes of (a sample of) ``X`` as the paths' start."""
        state = super()._resolve_fit_state(X, warm)
        if not warm and self._uses_linear_path(X.shape[1]):
            self._linear_start = principal_axes(X, self.n_components, self.mean_,
                                                self._input_unit())
        return state

    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets.dense import build_dense_decoder, build_dense_encoder

        hidden = check_layer_sizes(self.hidden_layer_sizes)
        (n_features,) = sample_shape
        starts = self._linear_starts(n_features, output_activation)
        encoder = build_dense_encoder(
            n_features, self.n_components, hidden, self.activation,
            self.code_activation, self.activity_l1, seeds,
            linear_start=starts[0],
        )
        decoder = build_dense_decoder(
            self.n_components, n_features, hidden, self.activation,
            output_activation, seeds, linear_start=starts[1],
        )
        return encoder, decoder

    def _linear_starts(self, n_features, output_activation):
        """``(encoder's, decoder's)`` linear path starts (None without
        ``linear_path``): PCA's projection and reconstruction, in the units
        the network reads. Before a sigmoid the decoder's path starts at the
        sigmoid's tangent at 1/2, ``4 (r - 1/2)`` for PCA's reconstruction
        ``r``."""
        if not self._uses_linear_path(n_features):
            return None, None
        components, centre = self.__dict__.pop(
            "_linear_start",
            (np.zeros((self.n_components, n_features), np.float32),
             np.zeros(n_features, np.float32)))
        encoder = (components.T, -centre @ components.T)
        if output_activation == "sigmoid":
            return encoder, (4.0 * components, 4.0 * (centre - 0.5))
        return encoder, (components, centre)

    def _uses_linear_path(self, n_features):
        """Whether a new network gets the linear path (``linear_path``)."""
        if self.linear_path == "auto":
            size, max_features = self._auto_linear
            return self.n_components >= size and n_features <= max_features
        return self.linear_path

    def _code_term(self):
        """The distance-preserving term on the codes (None at weight 0)."""
        weight = self.distance_weight
        if weight == "auto":
            size, auto_weight = self._auto_distance
            weight = auto_weight if self.n_components >= size else 0.0
        return self._distance_term(weight)
