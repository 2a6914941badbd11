"""Parametric t-SNE: a network trained on the t-SNE objective, with ``transform``."""

from numbers import Integral, Real

from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions

from ._backend import get_keras
from ._base import BaseAutoencoder, _LOSSES, _tf_replicas
from ._validation import ACTIVATIONS, check_layer_sizes
from ._rows import LazyRows, blockwise

# Gradient steps per epoch on small data sets, where one per ``batch_size``
# samples would be too few: eight per ``batch_size`` samples, within these
# bounds. On validation splits 20 scored as 50 did on 200 and 1,010 digits
# and on 3,000 MNIST images, in a third to three fifths of the time; on 5,000
# MNIST images 20 and 40 lost half a point of 5-NN accuracy and
# trustworthiness to 50 (BENCHMARKS.md, "Parametric t-SNE").
_MIN_STEPS = (20, 50)
# The learning rate of an optimizer given by name decays along a half cosine
# to this fraction of ``learning_rate`` over the fit's steps.
_FINAL_RATE = 0.1


def _has_decoder(estimator):
    """``inverse_transform`` and scoring exist with a decoder only."""
    if estimator.reconstruction_weight <= 0:
        raise AttributeError(
            "This ParametricTSNE has no decoder: set reconstruction_weight > 0 "
            "to train one (inverse_transform, reconstruct and score need it)."
        )
    return True


class ParametricTSNE(BaseAutoencoder):
    """t-SNE map computed by a neural network, which also places new points.

    A fully-connected network maps each sample to ``n_components`` values and
    is trained to minimise t-SNE's objective, the KL divergence between the
    input affinities ``P`` and the Student-t affinities of the map (van der
    Maaten, "Learning a Parametric Embedding by Preserving Local Structure",
    2009). Unlike :class:`sklearn.manifold.TSNE`, the fitted network embeds
    new samples: ``transform`` is one pass through it, as fast as a few
    matrix products.

    ``P`` holds perplexity-calibrated Gaussian kernels over each sample's
    ``ceil(3 * perplexity)`` nearest neighbours
    (:class:`sklearn.neighbors.NearestNeighbors`), symmetrised, as in
    Barnes-Hut t-SNE: a sparse matrix with at most ``2 n k`` values, so memory
    grows linearly with the number of samples. Each gradient step draws
    ``batch_size`` edges ``(i, j)`` with probability ``p_ij``, embeds both
    ends, and minimises ``-mean_e log w(h_e, t_e) + log mean_{e != f}
    w(h_e, t_f)`` over the batch's edges ``e = (h_e, t_e)``, with
    ``w = (1 + |y_k - y_l|^2 / dof)^(-dof)`` (t-SNE's Cauchy kernel for
    ``dof=1``): the KL divergence up to a constant, with the normalisation
    estimated from the batch's pairs of one edge's head and another edge's
    tail (Damrich et al., "From t-SNE to
    UMAP with contrastive learning", 2022). During the first
    ``exaggeration_epochs`` epochs the attraction is multiplied by
    ``early_exaggeration``.

    With ``reconstruction_weight > 0`` a decoder mirrors the encoder and the
    model is an autoencoder whose code is the t-SNE map: its reconstruction
    loss, times ``reconstruction_weight``, is added, and
    ``inverse_transform`` draws the sample a point of the map stands for.

    Memory is linear in the number of samples ``n`` (``f`` features,
    ``k = ceil(3 * perplexity)`` neighbours, 90 by default): the data
    (``4 n f`` bytes; a float32 memmap or a CSR matrix is searched in
    place, a memmap of another dtype is converted whole), the
    neighbour distances and indices (``16 n k`` bytes, float64 and int64;
    the search itself works in blocks of bounded memory), the conditional
    affinities (``12 n k``: squared distances and float32 kernels), and
    ``P`` with at most ``2 n k`` values (``16 n k`` bytes in CSR with int32
    indices, about twice that while it is symmetrised) plus the float64
    cumulative sums used to draw edges (``16 n k``). For one million
    MNIST-sized rows (``f = 784``): 3.1 GB of data, 1.4 GB of neighbours,
    1.1 GB of affinities, 1.4 GB for ``P`` (2.9 GB while symmetrised) and
    1.4 GB of sums: about 10 GB even if nothing were freed on the way, within
    24 GiB. The exact neighbour search is quadratic in time (about
    ``2 n^2 f`` flops: hours for a million rows on a multi-core CPU); the
    training is linear (with the default ``batch_size``,
    ``epochs * max(n / batch_size, 50)`` steps from 3,073 samples, fewer
    below).

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the map.
    perplexity : float, default=30.0
        Effective number of neighbours of each sample in ``P``; must be less
        than the number of samples.
    dof : float, default=0.5
        Degrees of freedom of the map's kernel
        ``(1 + |y_i - y_j|^2 / dof)^(-dof)``: 1 is the Cauchy kernel of
        standard t-SNE; below 1 its tails are heavier and clusters separate
        further (Kobak et al., 2019; openTSNE's ``dof``). 0.5 was chosen on
        a validation split of MNIST: over three seeds its held-out map had a
        5-NN accuracy 1.3 points higher than with 1, at the same
        trustworthiness.
    hidden_layer_sizes : tuple of int, default=(128, 128, 128)
        Widths of the network's hidden layers (mirrored in the decoder).
    activation : str, default="relu"
        Activation of the hidden layers.
    layer_norm : bool, default=True
        Normalise the pre-activations of each of the map network's hidden
        layers over its units (``LayerNormalization``; the decoder's layers
        are plain). With a third hidden layer, this raised the held-out
        map's 5-NN accuracy from 0.890 to 0.922 and its trustworthiness
        from 0.929 to 0.946 on a validation split of MNIST (means of three
        seeds); each change alone gave at most a point.
    early_exaggeration : float, default=12.0
        Factor on the attraction term during the first epochs.
    exaggeration_epochs : int, default=0
        Epochs with early exaggeration (none by default: on a validation
        split of MNIST, 2, 4 or 12 during the first epochs all gave worse
        maps than none).
    noise_factor : float, default=0.0
        Standard deviation of Gaussian noise added to the network's inputs
        in training (clipped to the training data's range), so that it maps
        a neighbourhood of each sample near the sample's place: new points
        then land closer to their neighbours. It helps small data sets and
        costs large ones, and is off by default. On validation splits
        (means of three seeds, 5-NN accuracy / trustworthiness of the
        held-out map), 0.2 raised the digits in [0, 1] (1,010 training
        images) from 0.928 / 0.956 to 0.935 / 0.966, and 0.6 the
        standardised digits from 0.922 / 0.928 to 0.953 / 0.947, while 0.2
        lowered MNIST (18,699 training images) from 0.923 / 0.951 to
        0.902 / 0.948. Fits with noise run without XLA (see
        ``BENCHMARKS.md``), which made them slower on MNIST (about 115 s
        against 79 s on one core).
    reconstruction_weight : float, default=0.0
        Weight of the reconstruction loss; 0 trains no decoder.
    loss : {"auto", "binary_crossentropy", "mse", "mae"}, default="auto"
        Reconstruction loss (with a decoder): ``"auto"`` is binary
        cross-entropy for data in [0, 1], mean squared error otherwise.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified). A name is
        built with a moving average of the weights (``use_ema=True``,
        ``ema_momentum=0.99``), which the network keeps at the end of
        ``fit``: on the validation split above it added about 0.4 points of
        5-NN accuracy and of trustworthiness, at no measurable cost.
    learning_rate : float, default=1e-2
        Initial learning rate when ``optimizer`` is a name. ``fit`` lowers it
        along a half cosine to a tenth of it at the last of its
        ``epochs``; a warm-started fit goes on from where the schedule
        stands (at a tenth after a full fit), and ``partial_fit`` keeps it
        constant. On a validation split of the digits (1,010 training
        images), a constant rate let three fits of six drift apart late in
        training (5-NN accuracy of the held-out map 0.56, 0.76 and 0.84
        against 0.93-0.94 for the others); with the decay all six reached
        0.92-0.94, and on the MNIST validation split the maps scored the
        same as with a constant rate (three seeds each).
    epochs : int, default=50
        Passes of training; one epoch is ``ceil(n_samples / batch_size)``
        batches of ``batch_size`` edges, and at least eight times that
        within 20 to 50 batches (so that small data sets get enough
        gradient steps; with the defaults, 1,000 in all up to 1,024
        samples and 2,500 from 3,073).
    batch_size : int, default=512
        Edges per gradient step, at least 2 (``2 * batch_size`` samples are
        embedded).
    validation_fraction : float, default=0.0
        Fraction of the samples held out; their own affinities give the
        ``val_loss`` in ``history_`` and, with ``early_stopping``, the loss
        to stop on.
    early_stopping : bool, default=False
        Stop when the monitored loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and keep the best weights.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=0.0
        Minimum improvement that counts for early stopping.
    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for ``fit``.
    warm_start : bool, default=False
        When True, a further ``fit`` continues training the existing network
        (on the affinities of the new data).
    random_state : int, RandomState instance or None, default=None
        Seeds the weights and the edges drawn. An int gives the same map on
        every run on CPU. No global seed is set.
    verbose : int, default=0
        Keras' verbosity during training.

    Attributes
    ----------
    model_ : keras.Model
        The trained network (input to map, and reconstruction with a decoder).
    encoder_ : keras.Model
        The network from input to map, a part of ``model_``.
    decoder_ : keras.Model or None
        The decoder (map to input), or None without one.
    history_ : dict of str to list of float
        Loss (and ``val_loss``) per epoch.
    loss_ : str
        The reconstruction loss, ``"none"`` without a decoder.
    data_range_ : tuple of (float, float)
        Smallest and largest value of the training data, which chose the
        reconstruction loss (``loss="auto"``).
    mean_ : ndarray of shape (n_features,) or None
        Mean of each feature over the training data, for data outside [0, 1]:
        the map network reads its inputs less it (and a decoder adds it
        back), as :class:`~sklearn.decomposition.PCA` centres, so that data
        far from zero map as well as data near it. None for data in [0, 1].
    scale_ : None
        The other estimators' spread: the map's loss has no units and its
        layer normalisation takes the inputs' scale.
    code_shape_ : tuple of int
        Shape of one map point, ``(n_components,)``.
    embedding_ : ndarray of shape (n_samples, n_components)
        The map of the samples of the last ``fit`` (or ``partial_fit``), the
        validation fraction included, as ``transform`` places them (like
        :class:`sklearn.manifold.TSNE`'s ``embedding_``).
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
    sklearn.manifold.TSNE : t-SNE without ``transform``.
    DenseAutoencoder : Fully-connected autoencoder.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import ParametricTSNE
    >>> X = load_digits().data / 16.0
    >>> tsne = ParametricTSNE(hidden_layer_sizes=(64,), epochs=3,
    ...                       random_state=0).fit(X[:1000])
    >>> tsne.transform(X[1000:1003]).shape
    (3, 2)
    """

    # A moving average of the weights, which the network ends fit with.
    _named_optimizer_config = (("use_ema", True), ("ema_momentum", 0.99))

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "perplexity": [Interval(Real, 0, None, closed="neither")],
        "dof": [Interval(Real, 0, None, closed="neither")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS)],
        "layer_norm": ["boolean"],
        "early_exaggeration": [Interval(Real, 0, None, closed="neither")],
        "exaggeration_epochs": [Interval(Integral, 0, None, closed="left")],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions({"auto"} | _LOSSES)],
        # Edges per batch, at least two (the normaliser pairs one edge's head
        # with another's tail); no "auto" rule (the autoencoders' is in samples).
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        *,
        perplexity=30.0,
        dof=0.5,
        hidden_layer_sizes=(128, 128, 128),
        activation="relu",
        layer_norm=True,
        early_exaggeration=12.0,
        exaggeration_epochs=0,
        noise_factor=0.0,
        reconstruction_weight=0.0,
        loss="auto",
        optimizer="adam",
        learning_rate=1e-2,
        epochs=50,
        batch_size=512,
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
        self.perplexity = perplexity
        self.dof = dof
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.layer_norm = layer_norm
        self.early_exaggeration = early_exaggeration
        self.exaggeration_epochs = exaggeration_epochs
        self.noise_factor = noise_factor
        self.reconstruction_weight = reconstruction_weight
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------
    # Hooks of BaseAutoencoder
    # ------------------------------------------------------------------
    def _resolve_loss(self, lo, hi):
        if self.reconstruction_weight <= 0:
            return "none"
        return super()._resolve_loss(lo, hi)

    def _scales_inputs(self, loss):
        """Never ``scale_``: the map's loss has no units (the affinities are
        calibrated by perplexity) and the layer normalisation takes the
        inputs' scale; the optional decoder's error keeps the data's units
        against ``reconstruction_weight``."""
        return False

    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets.dense import build_dense_decoder, build_dense_encoder

        hidden = check_layer_sizes(self.hidden_layer_sizes)
        (n_features,) = sample_shape
        encoder = build_dense_encoder(
            n_features, self.n_components, hidden, self.activation, "linear",
            0.0, seeds, layer_norm=self.layer_norm,
        )
        decoder = None
        if self.reconstruction_weight > 0:
            decoder = build_dense_decoder(
                self.n_components, n_features, hidden, self.activation,
                output_activation, seeds,
            )
        return encoder, decoder

    def _assemble(self, keras, encoder, decoder, sample_shape, seeds):
        inputs = keras.Input(shape=sample_shape, name="input")
        x = inputs
        if self.noise_factor > 0:  # no layer (nor seed drawn) without noise
            x = self._noise_layer(sample_shape, seeds)(inputs)
        code = encoder(x)
        outputs = code if decoder is None else [code, decoder(code)]
        return keras.Model(inputs, outputs, name="parametric_tsne")

    def _compile_loss(self, loss):
        from ._nets.tsne import TSNEBatchLoss, WeightedReconstructionLoss

        if self.reconstruction_weight <= 0:
            return TSNEBatchLoss(dof=self.dof)
        return [TSNEBatchLoss(dof=self.dof),
                WeightedReconstructionLoss(loss, self.reconstruction_weight)]

    def _learning_rate(self, keras, n_steps):
        """A half cosine from ``learning_rate`` to ``_FINAL_RATE`` of it over
        the fit's ``n_steps``; constant for ``partial_fit``."""
        if n_steps is None:  # partial_fit: no known end to decay towards
            return float(self.learning_rate)
        return keras.optimizers.schedules.CosineDecay(
            float(self.learning_rate), int(n_steps), alpha=_FINAL_RATE)

    def _steps_per_epoch(self, n_train):
        """Batches of edges per epoch: one per ``batch_size`` samples, and at
        least eight times that, within the bounds of ``_MIN_STEPS``."""
        batches = -(-n_train // int(self.batch_size))
        low, high = _MIN_STEPS
        return max(batches, min(high, max(low, 8 * batches)))

    def _edge_batches(self, X, perplexity, seed, exaggeration_epochs):
        from ._nets.tsne import EdgeBatches, tsne_affinities

        replicas = _tf_replicas(get_keras())
        if self.batch_size % replicas or self.batch_size < 2 * replicas:
            raise ValueError(
                f"batch_size={self.batch_size} edges cannot be shared by the "
                f"strategy's {replicas} replicas: use a multiple of {replicas}, "
                f"at least {2 * replicas} (each replica needs two whole edges)."
            )
        P = tsne_affinities(_neighbour_input(X), perplexity)
        return EdgeBatches(
            X, P, self.batch_size, self._steps_per_epoch(len(X)), seed=seed,
            exaggeration=self.early_exaggeration,
            exaggeration_epochs=exaggeration_epochs,
            reconstruct=self.reconstruction_weight > 0,
        )

    def _training_data(self, X_train, seed):
        n = len(X_train)
        if self.perplexity >= n:
            raise ValueError(
                f"perplexity={self.perplexity} must be less than the number of "
                f"training samples ({n}); lower it."
            )
        return self._edge_batches(X_train, self.perplexity, seed,
                                  self.exaggeration_epochs)

    def _validation_data(self, X_val):
        if len(X_val) < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves "
                f"{len(X_val)} validation sample(s); t-SNE needs at least 2."
            )
        perplexity = min(float(self.perplexity), (len(X_val) - 1) / 3.0)
        return self._edge_batches(X_val, perplexity, 0, 0)

    def _fit_network(self, X, warm, partial=False):
        """The base's training, then ``embedding_``: the map of ``X``."""
        super()._fit_network(X, warm, partial)
        self.embedding_ = blockwise(self._encode, X)
        return self

    def fit_transform(self, X, y=None):  # the map of X, computed by fit
        return self.fit(X, y).embedding_

    fit_transform.__doc__ = BaseAutoencoder.fit_transform.__doc__

    # ------------------------------------------------------------------
    # Methods that need a decoder
    # ------------------------------------------------------------------
    # With a decoder only: the base's methods, hidden (hasattr is False)
    # when reconstruction_weight is 0.
    inverse_transform = available_if(_has_decoder)(BaseAutoencoder.inverse_transform)
    reconstruct = available_if(_has_decoder)(BaseAutoencoder.reconstruct)
    score_samples = available_if(_has_decoder)(BaseAutoencoder.score_samples)
    score = available_if(_has_decoder)(BaseAutoencoder.score)

    def _reconstruct(self, X):
        return self._decode(self._encode(X))


def _neighbour_input(X):
    """What the neighbour search reads: the array, or a lazy input's data
    (a CSR matrix or memmap, read in blocks; a subset is gathered)."""
    if isinstance(X, LazyRows):
        return X.data if X.indices is None else X.data[X.indices]
    return X
