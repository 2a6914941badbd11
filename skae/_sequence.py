"""Recurrent sequence-to-sequence autoencoder (the tutorial's LSTM model and
skae's bidirectional default), for fixed- and unequal-length sequences."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import BaseAutoencoder
from ._rows import blockwise
from ._validation import check_layer_sizes

CELLS = {"lstm", "gru"}
ARCHITECTURES = {"bidirectional", "tutorial"}
# distance_metric="auto" chooses on at most this many training sequences.
_AUTO_METRIC_ROWS = 256
# distance_weight="auto" with a term on the spectra ("spectrum" and the two
# mixes) and the default encoder, which reads the spectra itself (a linear map
# of them joins the code): this fraction of the weight. At the full weight the
# codes dropped the series' phase, which the reconstruction needs (two-sine
# series' validation MSE 0.102 against 0.051 at 0.3; BENCHMARKS.md), while
# BasicMotions' validation codes classified as well at 0.3 (1-NN 1.0 on three
# seeds at either weight).
_SPECTRUM_WEIGHT = 0.3
# The distance terms that compare magnitude spectra.
_SPECTRAL_METRICS = ("spectrum", "spectrum+shift", "shift+spectrum")


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


def is_collection(X):
    """True for a list or tuple of 2-D sequences (their lengths may differ)."""
    return (
        isinstance(X, (list, tuple)) and len(X) > 0
        and all(np.ndim(x) == 2 for x in X)
    )


def read_collection(X, channel_axis):
    """The sequences of a collection as float32 ``(n_steps_i, n_features)``.

    Raises ``ValueError`` for a sequence of fewer than two steps, feature
    counts that differ between sequences, and NaN or infinite values.
    """
    seqs = []
    for i, x in enumerate(X):
        x = np.asarray(x, dtype=np.float64)
        if channel_axis == 0:
            x = x.T
        if x.shape[0] < 2:
            raise ValueError(
                f"Sequence {i} has {x.shape[0]} time step(s); a sequence "
                "autoencoder needs at least 2 steps per sequence (channel_axis="
                f"{channel_axis} reads each as {_LAYOUTS[channel_axis]})."
            )
        if seqs and x.shape[1] != seqs[0].shape[1]:
            raise ValueError(
                f"Sequence {i} has {x.shape[1]} features per step but sequence 0 "
                f"has {seqs[0].shape[1]}: every sequence of a collection needs "
                "the same features (channel_axis="
                f"{channel_axis} reads each as {_LAYOUTS[channel_axis]})."
            )
        if not np.isfinite(x).all():
            raise ValueError(
                f"Sequence {i} contains NaN or infinity. Fill or drop missing "
                "values first; unequal lengths need no padding."
            )
        seqs.append(x.astype(np.float32))
    return seqs


_LAYOUTS = {-1: "(n_steps, n_features)", 0: "(n_channels, n_timepoints)"}


def pad_collection(seqs, n_steps, value):
    """Stack sequences into ``(n, n_steps, n_features)``, padded at the end."""
    out = np.full((len(seqs), n_steps, seqs[0].shape[1]), value, dtype=np.float32)
    for i, x in enumerate(seqs):
        out[i, : len(x)] = x
    return out


def padding_below(lo, hi):
    """A round value below the data's range ``[lo, hi]``, used for padding."""
    return float(np.floor(lo) - 1.0 - np.ceil(hi - lo))


class SequenceAutoencoder(BaseAutoencoder):
    """Recurrent (GRU or LSTM) sequence-to-sequence autoencoder.

    With its defaults (``architecture="bidirectional"``), bidirectional GRU
    layers read each sequence and a linear layer of ``n_components`` units on
    their final states, plus a linear map of the whole sequence (its real
    steps resampled to the fitted length) and, with a distance term on the
    spectra, one of its magnitude spectra, gives the code; the decoder
    projects the code to one input per time step, runs bidirectional GRU
    layers over them and maps each step back to the features. With only
    ``n_components`` set it reconstructs better than ``PCA`` of the same size
    on MNIST read row by row and on noisy sine waves (figures in
    BENCHMARKS.md).

    ``architecture="tutorial"`` builds the Keras tutorial's
    "sequence-to-sequence autoencoder", ``LSTM(latent_dim) ->
    RepeatVector(timesteps) -> LSTM(input_dim, return_sequences=True)``: its
    code is the last state of the encoder's recurrent layer, bounded to
    [-1, 1]. Its decoder ends with a per-step ``Dense`` layer (as every skae
    model does) with a sigmoid output for data in [0, 1] (binary cross-entropy)
    and a linear output otherwise (mean squared error), so real-valued
    sequences are reconstructed at their own scale. The tutorial's model is
    ``SequenceAutoencoder(n_components=32, architecture="tutorial",
    cell="lstm", hidden_layer_sizes=(), distance_weight=0, learning_rate=1e-3,
    global_clipnorm=None, epochs=50, batch_size=256)``.

    Input:

    * a 3-D array ``(n_samples, n_timesteps, n_features)``, or a flat 2-D
      array ``(n_samples, n_timesteps * n_features)`` with the features of
      each step contiguous (row-major order, as ``X3d.reshape(len(X3d), -1)``
      gives);
    * a list of 2-D arrays ``(n_timesteps_i, n_features)`` whose lengths may
      differ. They are padded inside (at the end) and the padded steps are
      masked: skipped by the encoder, left out of the loss and of
      :meth:`score_samples`. :meth:`reconstruct` returns a list with each
      sequence at its own length;
    * aeon's collections with ``channel_axis=0``: a 3-D array ``(n_cases,
      n_channels, n_timepoints)`` or a list of ``(n_channels,
      n_timepoints_i)`` arrays; outputs keep that layout.

    ``inverse_transform`` returns the layout seen in ``fit`` (a 3-D array of
    the longest length for a collection: codes do not carry lengths).

    Parameters
    ----------
    sequence_shape : tuple of (int, int) or None, default=None
        ``(n_timesteps, n_features)`` of one sequence, used to read flat 2-D
        input. With None, it is taken from 3-D input; flat 2-D input is then
        read as univariate series, ``(n_features_in_, 1)``: one value per
        step. With a list of sequences, ``n_timesteps`` is the padded length
        (the longest sequence by default; set it to accept longer sequences
        after ``fit``). A shape that does not match the data raises
        ``ValueError``.
    n_components : int, default=32
        Size of the code (the tutorial's ``latent_dim``).
    architecture : {"bidirectional", "tutorial"}, default="bidirectional"
        ``"bidirectional"``: bidirectional recurrent layers, a linear code
        layer to which a linear map of the whole sequence is added (started
        at zero; it steadies the codes of small training sets), and a
        decoder that gets one projected input per step.
        ``"tutorial"``: the tutorial's model, whose code is the last state of
        a recurrent layer of ``n_components`` units and whose decoder repeats
        the code at every step (``RepeatVector``).
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell of the encoder and decoder.
    hidden_layer_sizes : tuple of int, default=(128,)
        Widths of the recurrent layers (units per direction for
        ``"bidirectional"``). The decoder mirrors them in reverse order.
        ``"tutorial"``: layers before the code layer; with none, the decoder
        has one layer of ``n_components`` units. ``"bidirectional"``: the
        encoder's layers before the linear code (one of ``n_components``
        units when empty).
    max_recurrent_steps : int or None, default=None
        ``architecture="bidirectional"``, sequences of one length: longer
        sequences are read by the recurrent layers in frames of
        ``ceil(n_timesteps / max_recurrent_steps)`` consecutive steps (their
        values side by side, nothing dropped), and the decoder gives each
        frame's steps back, so the recurrent loops are that many times
        shorter. None: every step on its own.
    channel_axis : {-1, 0}, default=-1
        The axis of one sequence that holds its features (channels): -1 reads
        ``(n_timesteps, n_features)``, 0 reads aeon's ``(n_channels,
        n_timepoints)``, for 3-D arrays ``(n_cases, n_channels,
        n_timepoints)`` and lists alike. Flat 2-D input is always row-major
        ``(n_timesteps * n_features)``.
    mask_value : float or None, default=None
        Variable-length sequences padded by the user (a list of sequences
        needs none: it is padded inside). Pad them to a common length
        with this value (at the start or the end); a time step whose features
        all equal ``mask_value`` is then skipped by the encoder
        (``keras.layers.Masking``) and left out of the training loss, of the
        choice of loss and of :meth:`score_samples`. The reconstruction still
        has every step: values at padded steps are meaningless. With None (the
        default) every step counts. NaN cannot be used for padding (input with
        NaN is rejected); pick a number outside the data's range.
    distance_weight : float or "auto", default="auto"
        Weight of a training term that makes the distances between codes
        follow distances between the sequences (``distance_metric``), pair by
        pair within each batch, both scaled by their batch mean; sequences of
        unequal lengths are compared each stretched over the padded length
        (linear interpolation), or by their spectra also extended with
        zeros (``padded_spectra_``). Reconstruction alone can put two similar
        sequences far apart in the code; with the term, code distances rank
        neighbours more as the sequences' own distances do, so that codes
        serve better as features for k-NN, clustering or t-SNE (chosen on
        validation splits of aeon's data sets; figures in BENCHMARKS.md).
        0 trains on the reconstruction alone, as the tutorial does. The term
        is free of the data's scale, but the reconstruction loss it is
        weighed against is in the data's units (squared, for the squared
        error). ``"auto"`` is 1, chosen on series of unit variance, raised to
        the variance of the training values where that is larger (to their
        standard deviation for ``loss="mae"`` or ``"huber"``), so that series
        in larger units keep the same balance (such series are also
        standardised inside the network, ``value_scale_``). With the
        ``"spectrum"``, ``"spectrum+shift"`` or ``"shift+spectrum"`` term and
        the default encoder, which then reads the spectra itself, it is 0.3
        times that: at the full weight the codes dropped the series' phase,
        and their reconstructions doubled in error. It is not lowered for
        series of small variance: that lost accuracy on validation splits.
        The weight used is ``distance_weight_``.
    distance_metric : {"auto", "shift", "euclidean", "spectrum", \
            "spectrum+shift", "shift+spectrum"}, default="auto"
        Which distances between the sequences the distance term follows.
        ``"auto"``: whichever suits the training sequences (up to 256 of
        them, evenly spaced), by how much nearer a neighbour their magnitude
        spectra give each one, relative to the mean distance, than the shift
        distance does: ``"spectrum+shift"`` when that ratio is below 0.72, as
        when the timing of events varies at random from one sequence to the
        next; ``"shift"`` from 0.80; in between, where a few dozen sequences
        cannot tell the two apart, ``"shift+spectrum"``. The choice is
        ``distance_metric_``.
        ``"shift"``: the smallest Euclidean distance over every shift in time
        of one sequence against the other (both extended with zeros, after
        the mean of ``value_scale_`` is taken off where the network
        standardises), so the same course a few steps earlier or later
        counts as near (computed by FFT; memory
        ``batch_size ** 2 * 2 * n_timesteps`` values per batch, at most
        2 ** 24: a larger batch compares a random subset of its sequences, at
        least 16).
        ``"euclidean"``: step by step, without shifts. ``"spectrum"``:
        between their magnitude spectra (``|rfft|`` over time, per feature),
        which keep each feature's rhythms and drop when anything happens
        (for sequences of unequal lengths, stretched or extended with zeros,
        whichever suits the training sequences: ``padded_spectra_``): for
        activity, gesture or other periodic signals whose phase varies from
        one sequence to the next (on aeon's BasicMotions its codes classify
        better by 1-NN, on JapaneseVowels, where the course over time
        matters, worse; figures in BENCHMARKS.md). ``"spectrum+shift"``:
        three parts of the spectra's distance to one of the shift distance,
        each over its mean, so that timing still tells apart sequences of
        like rhythms. ``"shift+spectrum"``: the sum of the two, each over its
        mean. With any of the last three the default encoder
        (``architecture="bidirectional"``) also reads those spectra: a
        linear map of them joins its code. No effect at
        ``distance_weight=0``.
    noise_factor : float, default=0.0
        Standard deviation of the Gaussian noise added to the inputs during
        training only (denoising autoencoder); noisy inputs are clipped to the
        training data's range, and the targets stay clean. With ``mask_value``
        the noise is applied inside the encoder after the masking, so that
        padded steps are still recognised.
    loss : {"auto", "binary_crossentropy", "mse", "mae", "huber"}, default="auto"
        Reconstruction loss. ``"auto"`` picks binary cross-entropy (with a
        sigmoid output) when the training data lies in [0, 1], mean squared
        error (with a linear output) otherwise. ``"huber"``: squared error
        for errors up to 1, absolute error beyond.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        Optimizer name, or an instance (copied, never modified).
    learning_rate : float, default=3e-3
        Learning rate when ``optimizer`` is a name.
    global_clipnorm : float or None, default=1.0
        When ``optimizer`` is a name, each step's gradients are scaled down
        to this global norm where theirs is larger (Keras' optimizer
        argument of that name). Recurrent layers over long series
        otherwise take erratic steps: on a validation split of aeon's ACSF1
        (series of 1,460 steps) the training loss stalled near 0.3 and the
        fit ended in NaN. None: no clipping. An optimizer instance keeps
        its own settings.
    epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"``: enough for about 4,000
        gradient steps, within 10 to 200 epochs.
    batch_size : int or "auto", default="auto"
        Samples per gradient step. ``"auto"``: ``n_samples // 64`` within
        [32, 64].
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
        ``(n_timesteps, n_features)`` of one sequence as the network sees it
        (the padded length for a list of sequences).
    data_range_ : tuple of (float, float)
        Smallest and largest value of the training data's real steps (padding
        left out); they chose ``loss_``, and they bound the noisy inputs.
    mean_ : None
        The other estimators' per-feature centring, which sequences do not
        get: ``value_scale_`` standardises values of a large spread.
    scale_ : None
        The other estimators' spread, for the same reason.
    code_shape_ : tuple of int
        Shape of one code, ``(n_components,)``.
    value_scale_ : tuple of (float, float) or None
        ``(mean, std)`` of the training values (real steps) when their
        standard deviation exceeds 1: the encoder standardises its input
        with them (after masking and noise) and the decoder maps its output
        back, so that the network reads values of unit scale whatever the
        data's units; the distance term takes the same mean off the values
        it compares. None for values that vary less, which the network and
        the term read as they are.
    distance_weight_ : float
        The weight of the distance term: ``distance_weight``, or for
        ``"auto"`` the one set from the training values' variance and the
        metric (``distance_metric_``).
    distance_metric_ : str or None
        The distances the distance term followed: ``distance_metric``, or
        for ``"auto"`` the one chosen on the training sequences; None at
        ``distance_weight=0``.
    padded_spectra_ : bool
        Whether the spectra of a term on them (and of the encoder's map of
        them) are taken, for sequences of unequal lengths, over each one's
        real steps extended with zeros to the padded length and multiplied
        by that length over its own (True), or over its steps stretched to
        that length (False): whichever brings the training sequences'
        nearest neighbours closer. Zeros keep each rhythm's frequency, as
        in windows cut from one recording; stretching keeps a sequence's
        course from start to end, as in a gesture made at different speeds.
        False without padding or without a term on the spectra.
    mask_value_ : float or None
        The value that marks padded steps inside the network: ``mask_value``,
        or, for a list of sequences of unequal lengths, a value below the
        training data's range; None when no step is padding.
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
    Sequences of a list are padded to the longest one; batches are not
    bucketed by length.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import SequenceAutoencoder
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 1, 20)
    >>> X = np.sin(2 * np.pi * (3 * t + rng.rand(64, 1)))[:, :, None]
    >>> X.shape
    (64, 20, 1)
    >>> ae = SequenceAutoencoder(n_components=4, hidden_layer_sizes=(16,),
    ...                          epochs=2, random_state=0).fit(X)
    >>> ae.transform(X[:3]).shape
    (3, 4)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 20, 1)

    Sequences of different lengths, as a list:

    >>> ragged = [X[0, :12], X[1], X[2, :15]]
    >>> ae = SequenceAutoencoder(n_components=4, hidden_layer_sizes=(16,),
    ...                          epochs=2, random_state=0).fit(ragged)
    >>> [r.shape for r in ae.reconstruct(ragged)]
    [(12, 1), (20, 1), (15, 1)]
    """

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "sequence_shape": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions(ARCHITECTURES)],
        "cell": [StrOptions(CELLS)],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "max_recurrent_steps": [Interval(Integral, 1, None, closed="left"), None],
        "channel_axis": [Options(Integral, {-1, 0})],
        "mask_value": [Real, None],
        "distance_weight": [Interval(Real, 0, None, closed="left"),
                            StrOptions({"auto"})],
        "distance_metric": [StrOptions({"auto", "euclidean", "shift",
                                        *_SPECTRAL_METRICS})],
        "global_clipnorm": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        sequence_shape=None,
        n_components=32,
        *,
        architecture="bidirectional",
        cell="gru",
        hidden_layer_sizes=(128,),
        max_recurrent_steps=None,
        channel_axis=-1,
        mask_value=None,
        distance_weight="auto",
        distance_metric="auto",
        noise_factor=0.0,
        loss="auto",
        optimizer="adam",
        learning_rate=3e-3,
        global_clipnorm=1.0,
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
        self.sequence_shape = sequence_shape
        self.n_components = n_components
        self.architecture = architecture
        self.cell = cell
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_recurrent_steps = max_recurrent_steps
        self.channel_axis = channel_axis
        self.mask_value = mask_value
        self.distance_weight = distance_weight
        self.distance_metric = distance_metric
        self.noise_factor = noise_factor
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.global_clipnorm = global_clipnorm
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

    @property
    def _named_optimizer_config(self):
        """Keras' ``global_clipnorm`` for an optimizer given by name."""
        if self.global_clipnorm is None:
            return ()
        return (("global_clipnorm", float(self.global_clipnorm)),)

    # ------------------------------------------------------------------
    # Shapes
    # ------------------------------------------------------------------
    # Masking and per-step weights need the whole array: sparse input is
    # refused with scikit-learn's TypeError, a memmap is read into memory.
    _lazy_input = False
    # batch_size="auto": n // 64 within [32, 64]; epochs="auto": about 4,000
    # steps (chosen on validation splits of MNIST rows and noisy sines).
    _auto_batch_max = 64
    _auto_steps = 4000

    def _validate_input(self, X, reset):
        if reset:
            self.mask_value_ = self.mask_value  # a collection may set its own
        if is_collection(X):
            X = self._pad_collection(X, reset)
        elif self.channel_axis == 0 and getattr(X, "ndim", None) == 3:
            X = np.swapaxes(np.asarray(X), 1, 2)  # aeon: (n, channels, steps)
        ndim = getattr(X, "ndim", None)
        if ndim is not None and ndim > 3:
            raise ValueError(
                f"{type(self).__name__} expects sequences as a 3-D array "
                "(n_samples, n_timesteps, n_features), a flat 2-D array "
                "(n_samples, n_timesteps * n_features) or a list of 2-D "
                f"sequences, got a {ndim}-D array of shape {tuple(X.shape)}."
            )
        return super()._validate_input(X, reset)

    def _pad_collection(self, X, reset, any_length=False):
        """A list of sequences as one padded ``(n, n_timesteps, n_features)``
        array; at ``fit`` also the padded length and ``mask_value_``. With
        ``any_length`` (encoding only), a masked model's encoder reads
        sequences longer than the decoder's ``n_timesteps``."""
        seqs = read_collection(X, self.channel_axis)
        lengths = [len(x) for x in seqs]
        n_features = seqs[0].shape[1]
        if reset:
            n_steps = max(lengths)
            if self.sequence_shape is not None:
                n_steps = check_sequence_shape(self.sequence_shape)[0]
            mask = self.mask_value
            if mask is None and min(lengths) < n_steps:
                lo = min(float(x.min()) for x in seqs)
                hi = max(float(x.max()) for x in seqs)
                mask = padding_below(lo, hi)
            self.mask_value_ = mask
        else:
            n_steps, fitted_features = self.sample_shape_
            if n_features != fitted_features:
                raise ValueError(
                    f"The sequences have {n_features} features per step, but "
                    f"{type(self).__name__} was fitted with {fitted_features}."
                )
        if any_length and self.mask_value_ is not None:
            n_steps = max(n_steps, max(lengths))
        if max(lengths) > n_steps:
            raise ValueError(
                f"A sequence has {max(lengths)} time steps, more than the "
                f"{n_steps} the decoder writes (the longest in fit, or "
                "sequence_shape); transform reads it, but it cannot be "
                "reconstructed or scored. Fit with sequence_shape=(n_timesteps, "
                "n_features) large enough for every sequence."
            )
        if min(lengths) < n_steps and self.mask_value_ is None:
            raise ValueError(
                f"{type(self).__name__} was fitted on sequences of one length, "
                f"{n_steps} steps, without masking; it cannot read a sequence of "
                f"{min(lengths)} steps. Fit it on a list of sequences of "
                "unequal lengths (or with mask_value) to read shorter ones."
            )
        return pad_collection(seqs, n_steps, self.mask_value_ or 0.0)

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
        if self._input_layout_ is not None:  # 3-D input: (n_timesteps, n_features)
            return self._input_layout_
        # Flat input without sequence_shape: univariate series.
        return (n_features, 1)

    # ------------------------------------------------------------------
    # Networks
    # ------------------------------------------------------------------
    def _build_networks(self, sample_shape, output_activation, seeds):
        from ._nets.sequence import build_sequence_decoder, build_sequence_encoder

        hidden = check_layer_sizes(self.hidden_layer_sizes)
        noise = None
        if self.mask_value_ is not None and self.noise_factor > 0:
            noise = super()._noise_layer(sample_shape, seeds)
        frame = self._frame(sample_shape[0])
        encoder = build_sequence_encoder(
            sample_shape, self.n_components, hidden, self.cell,
            mask_value=self.mask_value_, noise=noise, seeds=seeds,
            architecture=self.architecture, standardize=self.value_scale_,
            spectrum_path=self._reads_spectra and ("padded" if self.padded_spectra_ else True),
            frame=frame,
        )
        decoder = build_sequence_decoder(
            self.n_components, sample_shape, hidden, self.cell,
            output_activation, seeds, architecture=self.architecture,
            standardize=self.value_scale_, frame=frame,
        )
        return encoder, decoder

    def _frame(self, n_steps):
        """Steps per frame of the recurrent layers: 1 unless the sequences,
        all of one length (no ``mask_value_``), are longer than
        ``max_recurrent_steps`` for the bidirectional architecture."""
        limit = self.max_recurrent_steps
        if (limit is None or self.mask_value_ is not None
                or self.architecture != "bidirectional"):
            return 1
        return -(-n_steps // limit)

    def _noise_layer(self, sample_shape, seeds):
        """The base's noise before the encoder, or none with masking: then
        :meth:`_build_networks` puts it inside the encoder after ``Masking``
        (added before it, the noise would hide which steps are padding)."""
        if self.mask_value_ is not None:
            return None
        return super()._noise_layer(sample_shape, seeds)

    def _centres_inputs(self, data_range):
        """Never the base's per-feature centring: sequences of any length
        have no fixed features to centre; the encoder standardises large
        values itself (``value_scale_``)."""
        return False

    def _scales_inputs(self, loss):
        """Never the base's ``scale_``: the encoder standardises large
        values itself (``value_scale_``), and the loss and the distance term
        keep the data's units."""
        return False

    def _resolve_fit_state(self, X, warm):
        """The base's fit state; a new fit also sets ``value_scale_``,
        ``distance_weight_`` and ``distance_metric_``."""
        state = super()._resolve_fit_state(X, warm)
        if not warm:  # a warm fit keeps the fitted network's scale and term
            loss, data_range, sample_shape = state
            mean, variance = self._value_moments(X, sample_shape, sum(data_range) / 2)
            # Data in [0, 1] (binary cross-entropy) never varies this much.
            self.value_scale_ = (mean, float(np.sqrt(variance))) if variance > 1 else None
            self.distance_metric_, self.padded_spectra_ = self._resolve_term(
                X, sample_shape)
            self.distance_weight_ = self._resolve_weight(loss, variance)
        return state

    def _resolve_weight(self, loss, variance):
        """``distance_weight_`` of a new fit on values of ``variance``:
        ``"auto"`` is 1, or the reconstruction loss's scale where that is
        larger (the variance for the squared error, the standard deviation
        for losses that grow linearly); times :data:`_SPECTRUM_WEIGHT` for
        a term on the spectra read by the default encoder."""
        if self.distance_weight != "auto":
            return float(self.distance_weight)
        weight = max(1.0, variance if loss == "mse" else float(np.sqrt(variance)))
        if self._reads_spectra:
            weight *= _SPECTRUM_WEIGHT
        return weight

    @property
    def _reads_spectra(self):
        """Whether the encoder adds a linear map of the magnitude spectra to
        its code: the default architecture with a term on the spectra."""
        return (self.distance_metric_ in _SPECTRAL_METRICS
                and self.architecture == "bidirectional")

    def _value_moments(self, X, sample_shape, center, block=4096):
        """``(mean, variance)`` of the real steps' values (padding is not
        data), summed in float64 over blocks of rows about ``center`` (the
        middle of their range, against cancellation)."""
        count = total = square = 0.0
        for start in range(0, len(X), block):
            rows = X[start:start + block].reshape((-1, *sample_shape))
            values = rows[self._real_steps(rows)].astype(np.float64) - center
            count += values.size
            total, square = total + values.sum(), square + np.square(values).sum()
        shift = total / count
        return float(center + shift), float(square / count - shift**2)

    def _resolve_term(self, X, sample_shape):
        """``(distance_metric_, padded_spectra_)`` for a new fit on the
        validated rows ``X``. The ``"auto"`` rules (:func:`auto_metric`, and
        :func:`auto_spectra` for a term on the spectra of padded sequences)
        read the rows of :meth:`_rule_rows`, once, and only if a rule runs."""
        if self.distance_weight == 0:
            return None, False
        from ._nets.layers import auto_metric, auto_spectra

        x, metric = None, self.distance_metric
        if metric == "auto":
            x = self._rule_rows(X, sample_shape)
            metric = ("shift" if len(x) < 3
                      else auto_metric(x, self.mask_value_, offset=self._term_offset))
        if metric not in _SPECTRAL_METRICS or self.mask_value_ is None:
            return metric, False
        x = self._rule_rows(X, sample_shape) if x is None else x
        return metric, len(x) >= 3 and bool(
            auto_spectra(x, self.mask_value_, self._term_offset))

    def _rule_rows(self, X, sample_shape):
        """The training sequences the ``"auto"`` rules read: up to
        :data:`_AUTO_METRIC_ROWS` (fewer for long ones), evenly spaced."""
        from ._nets.layers import term_rows

        n_rows = min(len(X), _AUTO_METRIC_ROWS, term_rows("shift", sample_shape[0]))
        rows = np.unique(np.linspace(0, len(X) - 1, n_rows).round().astype(int))
        return np.asarray(X[rows], dtype=np.float32).reshape((len(rows), *sample_shape))

    def _code_term(self):
        """The distance-preserving term on the codes (None at weight 0)."""
        return self._distance_term(self.distance_weight_, mask_value=self.mask_value_,
                                   metric=self.distance_metric_, offset=self._term_offset,
                                   padded_spectra=self.padded_spectra_)

    @property
    def _term_offset(self):
        """What the distance term subtracts from the inputs: the mean the
        encoder standardises with (``value_scale_``), or 0 without it."""
        return 0.0 if self.value_scale_ is None else self.value_scale_[0]

    def _jit_compile(self, keras, n_steps, model):
        # XLA compilation of the recurrent loops costs seconds per fit on
        # TensorFlow's CPU path and buys little here; JAX keeps Keras's choice
        # (False there would run eagerly).
        if keras.backend.backend() == "tensorflow":
            return False
        return super()._jit_compile(keras, n_steps, model)

    # ------------------------------------------------------------------
    # Outputs in the input's layout
    # ------------------------------------------------------------------
    def _output_layout(self, X2d):
        out = super()._output_layout(X2d)
        return np.swapaxes(out, 1, 2) if out.ndim == 3 and self.channel_axis == 0 else out

    def transform(self, X):
        """Encode ``X``: the code of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any layout ``fit`` accepts. A model fitted on a
            list of unequal-length sequences (or with ``mask_value``) encodes
            sequences of a list of any length, longer ones included.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The code of each sequence, float32.
        """
        if not is_collection(X):
            return super().transform(X)
        check_is_fitted(self)
        padded = self._pad_collection(X, reset=False, any_length=True)
        return self._run(self.encoder_, padded).reshape(len(padded), -1)

    def reconstruct(self, X):
        """Encode and decode ``X`` in one pass (no training noise is added).

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences, in any layout ``fit`` accepts.

        Returns
        -------
        X_reconstructed : ndarray or list of ndarray
            Reconstructions in the layout of the data seen in ``fit``; for a
            list of sequences, a list with each sequence at its own length
            (in the ``channel_axis`` layout).
        """
        if not is_collection(X):
            return super().reconstruct(X)
        check_is_fitted(self)
        rows = self._validate_input(X, reset=False)
        R = blockwise(self._reconstruct, rows).reshape((len(rows),) + self.sample_shape_)
        step_axis = 0 if self.channel_axis == -1 else 1
        out = [r[: np.shape(x)[step_axis]] for r, x in zip(R, X)]
        return [r.T for r in out] if self.channel_axis == 0 else out

    # ------------------------------------------------------------------
    # Masking of padded steps
    # ------------------------------------------------------------------
    def _real_steps(self, X):
        """Boolean ``(n, n_timesteps)`` of sequences ``X`` in their sample
        shape: True where a step is not padding (some feature differs from
        ``mask_value_``, the rule of ``keras.layers.Masking``); all True
        without a mask value."""
        if self.mask_value_ is None:
            return np.ones(X.shape[:2], dtype=bool)
        return np.any(X != np.float32(self.mask_value_), axis=-1)

    def _loss_weights(self, X):
        """Padded steps weigh 0 in the loss and the scores, real steps 1;
        None (all alike) when no step is padding."""
        if self.mask_value_ is None:
            return None
        return self._real_steps(X).astype(np.float32)

    def _value_range(self, X, sample_shape):
        """The range of the real steps' values: padding is not data."""
        X = X.reshape((len(X),) + tuple(sample_shape))
        real = self._real_steps(X)[:, :, None]
        if not real.any():
            raise ValueError(
                f"Every time step of X equals mask_value={self.mask_value_}: "
                "there is nothing to learn from. mask_value marks padding only."
            )
        return (float(X.min(where=real, initial=np.inf)),
                float(X.max(where=real, initial=-np.inf)))
