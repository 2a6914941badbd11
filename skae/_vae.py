"""Variational autoencoder (the tutorial's VAE), dense or convolutional."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import _EPS, _LOSSES, BaseAutoencoder
from ._validation import ACTIVATIONS, check_image_shape, check_layer_sizes

# Latent draws per sample in the Monte Carlo estimate of the ELBO: a fixed set
# of antithetic standard-normal pairs, the same for every sample, so that a
# sample's score does not depend on the other rows or on their order.
_ELBO_DRAWS = 16
_ELBO_SEED = 0


class VariationalAutoencoder(BaseAutoencoder):
    """Variational autoencoder (VAE) as a scikit-learn transformer.

    The encoder maps each sample to the mean and log-variance of a Gaussian
    posterior ``q(z|x) = N(z_mean, diag(exp(z_log_var)))`` over ``n_components``
    latent variables; in training a point ``z`` is drawn from it by
    reparameterisation and decoded, and the network minimises the negative
    evidence lower bound (ELBO)::

        loss = sum_features recon(x, decoder(z)) + beta * KL(q(z|x) || N(0, I))

    averaged over the batch, so that with ``beta=1`` the reported ``loss`` is
    the negative ELBO in nats per sample. The defaults (hidden layers of 512
    and 256 units, about 8,000 gradient steps) were chosen on validation
    splits of MNIST and the bundled digits; the Keras tutorial's VAE (784 ->
    64 -> 2 on MNIST) is ``VariationalAutoencoder(2, hidden_layer_sizes=(64,),
    epochs=100, batch_size=32)``. ``image_shape`` gives a convolutional VAE
    for images.

    :meth:`transform` returns the posterior means, :meth:`inverse_transform`
    decodes latent points, :meth:`sample` generates new samples from the
    prior, and :meth:`score_samples` gives each sample's ELBO.

    Parameters
    ----------
    n_components : int, default=2
        Number of latent variables (the tutorial's ``latent_dim``).
    hidden_layer_sizes : tuple of int, default=(512, 256)
        Widths of the encoder's dense hidden layers, mirrored in the decoder
        (the tutorial's ``intermediate_dim``: ``(64,)``). With ``image_shape`` they come
        after the convolutions.
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)``: build a
        convolutional VAE for images of that shape. Flat inputs of
        ``height * width * channels`` features are reshaped; arrays of shape
        ``(n_samples, height, width, channels)`` are accepted too. ``None``
        builds a dense VAE.
    filters : tuple of int, default=(32, 64)
        With ``image_shape``: filters of the encoder's 3x3, stride-2
        convolutions (each halves the image), mirrored by transposed
        convolutions in the decoder, whose output is cropped to the exact
        image size. Ignored by the dense VAE.
    beta : float, default=1.0
        Weight of the KL term in the training loss. 1 trains the plain VAE;
        ``beta > 1`` gives a beta-VAE (smoother, more disentangled latent
        space, blurrier reconstructions), ``beta = 0`` a plain autoencoder with
        noisy codes. :meth:`score_samples` always reports the true ELBO
        (``beta=1``).
    activation : str, default="relu"
        Activation of the hidden (and convolutional) layers.
    noise_factor : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training only (denoising VAE); noisy inputs are clipped to the training
        data's range, and the targets stay clean.
    loss : {"auto", "binary_crossentropy", "mse", "mae"}, default="auto"
        Observation model ``p(x|z)``, i.e. the reconstruction term of the
        ELBO, always summed over the features. ``"binary_crossentropy"``
        (sigmoid output): Bernoulli, for data in [0, 1]. ``"mse"`` (linear
        output): Gaussian with variance ``s**2 / 2`` per feature, where ``s``
        is the data's spread (``scale_``, 1 for standardised data), so that
        minus its log-likelihood is the summed squared error in units of
        ``s`` plus ``n_features / 2 * log(pi * s**2)``. ``"mae"``: Laplace
        with scale ``s`` (summed absolute error in units of ``s`` plus
        ``n_features * log(2 * s)``). ``"auto"`` picks the Bernoulli model for
        data in [0, 1], the Gaussian one otherwise. As the variance follows
        the data's, the same data in other units (pixel bytes, counts) train
        the same model.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified).
    learning_rate : float, default=1e-3
        Learning rate when ``optimizer`` is a name.
    epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"`` runs enough epochs for
        about 8,000 gradient steps, between 10 and 200 epochs (more
        passes over a small data set, fewer over a large one); the tutorial trains 100 epochs of batches of 32.
    batch_size : int or "auto", default="auto"
        Samples per gradient step. ``"auto"`` is ``n_samples // 64`` within
        [32, 64]: small data sets get small batches.
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
        Seeds weight initialisation, shuffling, the training noise and the
        latent draws of training. An int gives the same model, and the same
        codes, on every run on CPU. No global seed is set.
    verbose : int, default=0
        Keras' verbosity during training: 0 silent, 1 progress bar, 2 one line
        per epoch.

    Attributes
    ----------
    model_ : keras.Model
        The trained VAE (input to reconstruction; at inference it decodes the
        posterior mean).
    encoder_ : keras.Model
        The encoder (input to ``[z_mean, z_log_var]``), a part of ``model_``.
    decoder_ : keras.Model
        The decoder (latent point to reconstruction), a part of ``model_``.
    history_ : dict of str to list of float
        Loss (and ``val_loss``) per epoch, accumulated over warm starts: the
        negative ELBO in nats per sample when ``beta=1``.
    loss_ : str
        The observation model used for training and scoring.
    data_range_ : tuple of (float, float)
        Smallest and largest value of the training data: the range that
        chose the loss (``loss="auto"``) and that the training noise is
        clipped to.
    mean_ : ndarray of shape (n_features,) or image_shape or None
        Mean of each feature (pixel) over the training data, for data outside
        [0, 1]: the encoder reads its inputs less it (over ``scale_``) and
        the decoder adds it back, as :class:`~sklearn.decomposition.PCA`
        centres, so that data far from zero train as well as data near it.
        None for data in [0, 1], which the network reads as they are.
    scale_ : float or None
        Spread ``s`` of the training data that the Gaussian and Laplace
        models measure errors in, and that the network reads and gives values
        in: the root mean variance of the features that vary (1 for data
        standardised by ``StandardScaler``). None for the Bernoulli model.
    code_shape_ : tuple of int
        Shape of one latent point, ``(n_components,)``.
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
    DenseAutoencoder : Deterministic fully-connected autoencoder.
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    sklearn.neighbors.KernelDensity : Another density model with ``sample``
        and ``score_samples``.

    Notes
    -----
    The sampling step uses the standard reparameterisation of Kingma and
    Welling (2014): the encoder outputs ``z_mean`` and ``z_log_var`` (the log
    of the variance), and ``z = z_mean + exp(0.5 * z_log_var) * eps`` with
    ``eps ~ N(0, I)`` of unit variance. The KL term,
    ``0.5 * sum(exp(z_log_var) + z_mean**2 - 1 - z_log_var)``, is the exact
    divergence from the N(0, I) prior for that same posterior.

    The tutorial's code differs in two ways, which skae does not copy. It
    draws ``eps`` with ``stddev=0.1``, so the training noise is ten times
    smaller than the posterior it claims to sample from, and the latent space
    ends up scaled to match (the tutorial then needs to scan +-15 "standard
    deviations" to see the manifold). And it calls the encoder's second
    output ``z_log_sigma`` and samples with ``exp(z_log_sigma)`` (a standard
    deviation) while its KL term uses ``exp(z_log_sigma)`` as a variance, so
    the loss is not the ELBO of the model being sampled. With both fixed,
    the loss is a true negative ELBO, samples from the N(0, I) prior decode to
    plausible data, and ``score_samples`` is comparable with published
    figures.

    Sampling is done by a registered layer with its own seeded
    ``SeedGenerator`` (no ``Lambda`` layer); it returns ``z_mean`` at
    inference, so :meth:`transform` and :meth:`reconstruct` are
    deterministic. The KL term is added by another registered layer, so the
    model trains on every Keras backend and a saved ``.keras`` file loads with
    ``keras.saving.load_model(path, safe_mode=True)``.

    :meth:`score_samples` estimates each sample's ELBO,
    ``E_q[log p(x|z)] - KL(q(z|x) || N(0, I))``, in nats, with 16 latent draws
    (8 antithetic pairs) that are fixed and shared by all samples, so scores
    are deterministic and a sample's score does not depend on the other rows.
    For the Bernoulli model on grey-level data such as MNIST, ``log p(x|z)``
    is minus the summed binary cross-entropy, the usual convention; it is not
    a normalised density for non-binary pixels, so compare it with figures
    computed the same way.

    References
    ----------
    D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VariationalAutoencoder
    >>> X = load_digits().data / 16.0
    >>> vae = VariationalAutoencoder(n_components=2, epochs=5, random_state=0)
    >>> vae = vae.fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 2)
    >>> vae.sample(4, random_state=0).shape
    (4, 64)
    >>> elbo = vae.score_samples(X[:3])  # nats, higher is better
    >>> elbo.shape
    (3,)
    """

    # batch_size="auto": at most 64 samples a batch; epochs="auto": about
    # 8,000 gradient steps (chosen on validation splits of MNIST and the
    # digits: the 2-D latent space keeps separating the classes well past
    # the point where the reconstructions stop improving).
    _auto_batch_max = 64
    _auto_steps = 8000

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "loss": [StrOptions({"auto"} | _LOSSES)],  # a likelihood each: no Huber
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "image_shape": ["array-like", None],
        "filters": ["array-like", Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "activation": [StrOptions(ACTIVATIONS)],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(512, 256),
        image_shape=None,
        filters=(32, 64),
        beta=1.0,
        activation="relu",
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
        self.image_shape = image_shape
        self.filters = filters
        self.beta = beta
        self.activation = activation
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
    # Network
    # ------------------------------------------------------------------
    def _sample_shape(self, n_features):
        if self.image_shape is None:
            return (n_features,)
        return check_image_shape(self.image_shape, n_values=n_features)

    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets import vae
        from ._nets.dense import build_dense_decoder

        hidden = check_layer_sizes(self.hidden_layer_sizes)
        if self.image_shape is None:
            (n_features,) = sample_shape
            encoder = vae.build_vae_dense_encoder(
                n_features, self.n_components, hidden, self.activation, seeds
            )
            decoder = build_dense_decoder(
                self.n_components, n_features, hidden, self.activation,
                output_activation, seeds,
            )
        else:
            filters = check_layer_sizes(self.filters, "filters")
            encoder = vae.build_vae_conv_encoder(
                sample_shape, self.n_components, filters, hidden,
                self.activation, seeds,
            )
            decoder = vae.build_vae_conv_decoder(
                self.n_components, sample_shape, filters, hidden,
                self.activation, output_activation, seeds,
            )
        return encoder, decoder

    def _assemble(self, keras, encoder, decoder, sample_shape, seeds):
        """input -> [noise] -> encoder -> KL loss -> sampling -> decoder."""
        from ._nets.vae import KLDivergenceLoss, Sampling

        inputs = keras.Input(shape=sample_shape, name="input")
        x = self._noise_layer(sample_shape, seeds)(inputs)
        z_mean, z_log_var = encoder(x)
        z_mean, z_log_var = KLDivergenceLoss(float(self.beta), name="kl_divergence")(
            [z_mean, z_log_var]
        )
        z = Sampling(seed=next(seeds), name="sampling")([z_mean, z_log_var])
        return keras.Model(inputs, decoder(z), name="variational_autoencoder")

    def _reconstruction_loss(self, loss):
        from ._nets.vae import SummedReconstructionLoss

        return SummedReconstructionLoss(loss)

    # ------------------------------------------------------------------
    # Inference
    # ------------------------------------------------------------------
    def _posterior(self, X):
        """``(z_mean, z_log_var)`` of validated 2-D float32 ``X``."""
        Xs = X.reshape((len(X),) + self.sample_shape_)
        z_mean, z_log_var = self._run(self.encoder_, Xs)
        return z_mean.reshape(len(X), -1), z_log_var.reshape(len(X), -1)

    def _encode(self, X):
        return self._posterior(X)[0]

    def transform(self, X):
        """Encode ``X``: the posterior mean ``z_mean`` of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode (with ``image_shape``, also
            ``(n_samples, height, width, channels)``).

        Returns
        -------
        z_mean : ndarray of shape (n_samples, n_components)
            Mean of ``q(z|x)`` for each sample, float32.
        """
        return super().transform(X)

    def _log_likelihood(self, X, R):
        """``log p(x|z)`` per row, in nats, for decoder outputs ``R``."""
        X = X.astype(np.float64)
        R = R.astype(np.float64)
        n_features, s = X.shape[1], self._input_unit()
        if self.loss_ == "binary_crossentropy":
            R = np.clip(R, _EPS, 1 - _EPS)
            return (X * np.log(R) + (1 - X) * np.log(1 - R)).sum(axis=1)
        if self.loss_ == "mae":
            return -np.abs(X - R).sum(axis=1) / s - n_features * np.log(2.0 * s)
        return (-((X - R) ** 2).sum(axis=1) / s**2
                - 0.5 * n_features * np.log(np.pi * s**2))

    def _score_rows(self, X):
        """The ELBO of each of the validated rows ``X``."""
        z_mean, z_log_var = (a.astype(np.float64) for a in self._posterior(X))
        kl = 0.5 * np.sum(np.exp(z_log_var) + z_mean**2 - 1.0 - z_log_var, axis=1)
        half = np.random.RandomState(_ELBO_SEED).standard_normal(
            (_ELBO_DRAWS // 2, z_mean.shape[1])
        )
        std = np.exp(0.5 * z_log_var)
        log_lik = np.zeros(len(X))
        for eps in np.concatenate([half, -half]):
            z = (z_mean + std * eps).astype(np.float32)
            log_lik += self._log_likelihood(X, self._decode(z))
        return log_lik / _ELBO_DRAWS - kl

    def score_samples(self, X):
        """Evidence lower bound (ELBO) of each sample, in nats (higher is better).

        ``ELBO(x) = E_q(z|x)[log p(x|z)] - KL(q(z|x) || N(0, I))``, a lower
        bound on ``log p(x)``. ``log p(x|z)`` follows ``loss_``: for the
        Bernoulli model minus the binary cross-entropy summed over the
        features; for the Gaussian model (``"mse"``, variance ``s**2 / 2``
        with ``s = scale_``) minus the summed squared error over ``s**2``
        minus ``n_features / 2 * log(pi * s**2)``; for the Laplace model
        (``"mae"``, scale ``s``) minus the summed absolute error over ``s``
        minus ``n_features * log(2 * s)``. The expectation is estimated with
        16 fixed latent draws (8 antithetic pairs) shared by all samples, so
        the result is deterministic. ``beta`` does not enter: this is always
        the true ELBO. Minus its mean is the negative ELBO reported in papers.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        elbo : ndarray of shape (n_samples,)
            ELBO of each sample, in nats; typically negative.
        """
        return super().score_samples(X)

    def score(self, X, y=None):
        """Mean ELBO of ``X`` in nats per sample (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    def sample(self, n_samples=1, random_state=None):
        """Generate samples: decode latent points drawn from the N(0, I) prior.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.
        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws. An int gives the same samples every call;
            None draws from NumPy's global generator.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Generated samples: the decoder's output for each latent draw (for
            the Bernoulli model the pixel probabilities, as the tutorial shows
            them, not binary draws). In the n-d layout of the training data
            when ``fit`` saw one.
        """
        check_is_fitted(self)
        if (not isinstance(n_samples, Integral) or isinstance(n_samples, bool)
                or n_samples < 1):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        rng = check_random_state(random_state)
        z = rng.standard_normal((int(n_samples), self._n_features_out))
        return self._output_layout(self._decode(z.astype(np.float32)))
