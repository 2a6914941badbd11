"""Recurrent sequence-to-sequence autoencoder (the tutorial's LSTM model)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseAutoencoder
from ._validation import check_layer_sizes

CELLS = {"lstm", "gru"}


def check_sequence_shape(shape):
    """Return ``shape`` as ``(n_timesteps, n_features)`` of positive ints."""
    try:
        shape = tuple(shape)
    except TypeError:
        shape = (shape,)
    if len(shape) != 2 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            "sequence_shape must be a pair (n_timesteps, n_features) of positive "
            f"integers, got {shape!r}."
        )
    return (int(shape[0]), int(shape[1]))


class SequenceAutoencoder(BaseAutoencoder):
    """Recurrent (LSTM or GRU) sequence-to-sequence autoencoder.

    The encoder reads each sequence step by step with recurrent layers and
    keeps the last state of a layer of ``n_components`` units as the code; the
    decoder repeats the code at every time step (``RepeatVector``), runs
    recurrent layers over it and maps each step back to the features with a
    ``Dense`` layer. This is the "sequence-to-sequence autoencoder" of the Keras
    tutorial, ``LSTM(latent_dim) -> RepeatVector(timesteps) ->
    LSTM(input_dim, return_sequences=True)``, with one difference: the
    tutorial's decoder ends with the recurrent layer itself, whose ``tanh``
    output cannot leave [-1, 1]; skae ends with a per-step ``Dense`` layer with
    a sigmoid output for data in [0, 1] (binary cross-entropy) and a linear
    output otherwise (mean squared error), so real-valued sequences are
    reconstructed at their own scale. The code itself is the recurrent state,
    bounded to [-1, 1] as in the tutorial.

    Input can be 3-D, ``(n_samples, n_timesteps, n_features)``, or flat 2-D,
    ``(n_samples, n_timesteps * n_features)`` with the features of each step
    contiguous (row-major order, as ``X3d.reshape(len(X3d), -1)`` gives).
    ``inverse_transform`` and ``reconstruct`` return the layout seen in ``fit``.

    Parameters
    ----------
    sequence_shape : tuple of (int, int) or None, default=None
        ``(n_timesteps, n_features)`` of one sequence, used to read flat 2-D
        input. With None, it is taken from 3-D input; flat 2-D input is then
        read as univariate series, ``(n_features_in_, 1)``: one value per
        step. A shape that does not match the data raises ``ValueError``.
    n_components : int, default=32
        Size of the code (the tutorial's ``latent_dim``): the number of units
        of the encoder's last recurrent layer.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell of the encoder and decoder.
    hidden_layer_sizes : tuple of int, default=()
        Widths of stacked recurrent layers before the code layer. The decoder
        mirrors them: ``RepeatVector``, then recurrent layers of these widths
        in reverse order (one layer of ``n_components`` units when empty), then
        the per-step output layer.
    mask_value : float or None, default=None
        Support for variable-length sequences. Pad them to a common length
        with this value (at the start or the end); a time step whose features
        all equal ``mask_value`` is then skipped by the encoder
        (``keras.layers.Masking``) and left out of the training loss, of the
        choice of loss and of :meth:`score_samples`. The reconstruction still
        has every step: values at padded steps are meaningless. With None (the
        default) every step counts. NaN cannot be used for padding (input with
        NaN is rejected); pick a number outside the data's range.
    noise_factor : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training only (denoising autoencoder); noisy inputs are clipped to the
        training data's range, and the targets stay clean. With ``mask_value``
        the noise is applied inside the encoder after the masking, so that
        padded steps are still recognised.
    loss : {"auto", "binary_crossentropy", "mse", "mae"}, default="auto"
        Reconstruction loss. ``"auto"`` picks binary cross-entropy (with a
        sigmoid output) when the training data lies in [0, 1], mean squared
        error (with a linear output) otherwise.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified).
    learning_rate : float, default=1e-3
        Learning rate when ``optimizer`` is a name.
    epochs : int, default=50
        Passes over the training data.
    batch_size : int, default=256
        Samples per gradient step.
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
        Extra Keras callbacks for ``fit``.
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
        The trained autoencoder (sequence to reconstruction).
    encoder_ : keras.Model
        The encoder (sequence to code), a part of ``model_``.
    decoder_ : keras.Model
        The decoder (code to sequence), a part of ``model_``.
    history_ : dict of str to list of float
        Loss (and ``val_loss``) per epoch, accumulated over warm starts.
    loss_ : str
        The loss used for training and scoring.
    n_iter_ : int
        Number of epochs run.
    sample_shape_ : tuple of (int, int)
        ``(n_timesteps, n_features)`` of one sequence as the network sees it.
    n_features_in_ : int
        Number of values per sample seen during ``fit`` (``n_timesteps *
        n_features``).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during ``fit``, when ``X`` had string column
        names.

    See Also
    --------
    DenseAutoencoder : Fully-connected autoencoder for flat vectors.
    sklearn.decomposition.PCA : Linear dimensionality reduction.

    Notes
    -----
    The code of a sequence depends on that sequence only, not on the other
    samples passed with it. Recurrent layers are slow on CPU: training time
    grows with ``n_timesteps``, which the layers walk through one by one.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import SequenceAutoencoder
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 1, 20)
    >>> X = np.sin(2 * np.pi * (3 * t + rng.rand(64, 1)))[:, :, None]
    >>> X.shape
    (64, 20, 1)
    >>> ae = SequenceAutoencoder(n_components=4, epochs=2, random_state=0).fit(X)
    >>> ae.transform(X[:3]).shape
    (3, 4)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 20, 1)
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "sequence_shape": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions(CELLS)],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "mask_value": [Real, None],
    }

    def __init__(
        self,
        sequence_shape=None,
        n_components=32,
        *,
        cell="lstm",
        hidden_layer_sizes=(),
        mask_value=None,
        noise_factor=0.0,
        loss="auto",
        optimizer="adam",
        learning_rate=1e-3,
        epochs=50,
        batch_size=256,
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
        self.sequence_shape = sequence_shape
        self.n_components = n_components
        self.cell = cell
        self.hidden_layer_sizes = hidden_layer_sizes
        self.mask_value = mask_value
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
    # Shapes
    # ------------------------------------------------------------------
    # Masking and per-step weights need the whole array: sparse input is
    # refused with scikit-learn's TypeError, a memmap is read into memory.
    _lazy_input = False

    def _validate_input(self, X, reset):
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 3:
            raise ValueError(
                f"{type(self).__name__} expects sequences as a 3-D array "
                "(n_samples, n_timesteps, n_features) or a flat 2-D array "
                f"(n_samples, n_timesteps * n_features), got a {ndim}-D array of "
                f"shape {tuple(X.shape)}."
            )
        if reset:
            # The per-sample shape of 3-D input, read by _sample_shape when
            # sequence_shape is None.
            self._input_sequence_shape = (
                tuple(int(s) for s in X.shape[1:]) if ndim == 3 else None
            )
        return super()._validate_input(X, reset)

    def _sample_shape(self, n_features):
        if self.sequence_shape is not None:
            shape = check_sequence_shape(self.sequence_shape)
            if shape[0] * shape[1] != n_features:
                raise ValueError(
                    f"sequence_shape={shape} holds {shape[0] * shape[1]} values "
                    f"per sample, but X has {n_features} (flattened). Pass "
                    "sequences of shape (n_samples, n_timesteps, n_features) or "
                    "flat arrays of n_timesteps * n_features columns, or fix "
                    "sequence_shape."
                )
            return shape
        shape = getattr(self, "_input_sequence_shape", None)
        if shape is not None and shape[0] * shape[1] == n_features:
            return shape
        # Flat input without sequence_shape: univariate series.
        return (n_features, 1)

    # ------------------------------------------------------------------
    # Networks
    # ------------------------------------------------------------------
    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets.sequence import build_sequence_decoder, build_sequence_encoder

        hidden = check_layer_sizes(self.hidden_layer_sizes)
        noise = None
        if self.mask_value is not None and self.noise_factor > 0:
            from ._nets.layers import ClippedGaussianNoise

            lo, hi = self._data_range_
            noise = ClippedGaussianNoise(
                float(self.noise_factor), clip_min=lo, clip_max=hi,
                seed=next(seeds), name="noise",
            )
        encoder = build_sequence_encoder(
            sample_shape, self.n_components, hidden, self.cell,
            mask_value=self.mask_value, noise=noise, seeds=seeds,
        )
        decoder = build_sequence_decoder(
            self.n_components, sample_shape, hidden, self.cell,
            output_activation, seeds,
        )
        return encoder, decoder

    def _assemble(self, keras, encoder, decoder, sample_shape, seeds):
        if self.mask_value is None:
            return super()._assemble(keras, encoder, decoder, sample_shape, seeds)
        # Noise, if any, lives inside the encoder after Masking: added before
        # it, the noise would hide which steps are padding.
        inputs = keras.Input(shape=sample_shape, name="input")
        outputs = decoder(encoder(inputs))
        return keras.Model(inputs, outputs, name=type(self).__name__.lower())

    def _jit_compile(self, keras, n_steps, model):
        # XLA compilation of the recurrent loops costs seconds per fit on
        # TensorFlow's CPU path and buys little here; JAX keeps Keras's choice
        # (False there would run eagerly).
        if keras.backend.backend() == "tensorflow":
            return False
        return super()._jit_compile(keras, n_steps, model)

    # ------------------------------------------------------------------
    # Masking of padded steps
    # ------------------------------------------------------------------
    def _real_steps(self, X):
        """Boolean ``(n, n_timesteps)``: True where a step is not padding."""
        shape = getattr(self, "sample_shape_", None) or self._sample_shape(X.shape[1])
        Xs = X.reshape((len(X),) + tuple(shape))
        return np.any(Xs != np.float32(self.mask_value), axis=-1)

    def _value_range(self, X):
        """The range of the real steps' values: padding is not data."""
        if self.mask_value is None:
            return super()._value_range(X)
        shape = getattr(self, "sample_shape_", None) or self._sample_shape(X.shape[1])
        real = X.reshape((len(X),) + tuple(shape))[self._real_steps(X)]
        if real.size == 0:
            raise ValueError(
                f"Every time step of X equals mask_value={self.mask_value}: "
                "there is nothing to learn from. mask_value marks padding only."
            )
        return float(real.min()), float(real.max())

    def _training_data(self, X_train, seed):
        if self.mask_value is None:
            return super()._training_data(X_train, seed)
        from ._nets.sequence import make_weighted_training_data

        # Padded steps get zero sample weight: left out of the loss.
        return make_weighted_training_data(
            X_train, np.float32(self.mask_value),
            self._fit_batch_size(len(X_train)), shuffle=self.shuffle, seed=seed,
        )

    def _validation_data(self, X_val):
        if self.mask_value is None:
            return super()._validation_data(X_val)
        from ._nets.sequence import make_weighted_validation_data

        return make_weighted_validation_data(X_val, np.float32(self.mask_value))

    def _reconstruction_error(self, X, R):
        if self.mask_value is None:
            return super()._reconstruction_error(X, R)
        n, (t, f) = len(X), self.sample_shape_
        real = self._real_steps(X)  # (n, t)
        # The base's per-value errors (one value per row), then the mean over
        # the values of real steps only.
        per_value = super()._reconstruction_error(
            X.reshape(-1, 1), R.reshape(-1, 1)
        ).reshape(n, t, f)
        counts = real.sum(axis=1) * f
        totals = (per_value * real[:, :, None]).sum(axis=(1, 2))
        return np.divide(totals, counts, out=np.zeros(n), where=counts > 0)
