"""Registered Keras layers used by skae's networks.

Every layer here is serializable (``get_config``) and registered under the
``skae`` package, so a saved ``.keras`` file loads with ``safe_mode=True`` and
without ``custom_objects``.
"""

import itertools
import math

import keras
import numpy as np
from keras import ops


def no_seeds():
    """An endless stream of ``None`` seeds, for builders called without one.

    Every builder draws one seed per layer with ``next(seeds)``; ``None``
    leaves each initializer to Keras' own unseeded generator.

    Returns
    -------
    seeds : iterator
        Yields ``None`` forever.

    Examples
    --------
    >>> from skae._nets.layers import no_seeds
    >>> seeds = no_seeds()
    >>> next(seeds), next(seeds)
    (None, None)
    """
    return itertools.repeat(None)


@keras.saving.register_keras_serializable(package="skae")
class ClippedGaussianNoise(keras.layers.Layer):
    """Additive Gaussian noise, clipped to a range, active only in training.

    The denoising recipe of the Keras autoencoder tutorial: during training the
    inputs get ``stddev * N(0, 1)`` noise, fresh for every batch, and are clipped
    back to ``[clip_min, clip_max]``; at inference the layer is the identity.

    Parameters
    ----------
    stddev : float
        Standard deviation of the noise (the tutorial's ``noise_factor``).
    clip_min, clip_max : float or None
        Range the noisy values are clipped to; ``None`` leaves that side open.
    seed : int or None
        Seed of the layer's ``SeedGenerator``.
    """

    def __init__(self, stddev, clip_min=None, clip_max=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if stddev < 0:
            raise ValueError(f"stddev must be >= 0, got {stddev}.")
        self.stddev = float(stddev)
        self.clip_min = None if clip_min is None else float(clip_min)
        self.clip_max = None if clip_max is None else float(clip_max)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        noisy = inputs + keras.random.normal(
            ops.shape(inputs),
            stddev=self.stddev,
            dtype=self.compute_dtype,
            seed=self.seed_generator,
        )
        if self.clip_min is not None or self.clip_max is not None:
            lo = -float("inf") if self.clip_min is None else self.clip_min
            hi = float("inf") if self.clip_max is None else self.clip_max
            noisy = ops.clip(noisy, lo, hi)
        return noisy

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            stddev=self.stddev,
            clip_min=self.clip_min,
            clip_max=self.clip_max,
            seed=self.seed,
        )
        return config


def centred(encoder, decoder, mean, scale=1.0):
    """``encoder`` reading its inputs less ``mean``, over ``scale``, and
    ``decoder`` (or None) giving its outputs times ``scale`` plus ``mean``:
    each wrapped in a model of the same name with a built-in ``Rescaling``
    layer (``x / scale - mean / scale`` first, ``y * scale + mean`` last), so
    that both take and give values in the data's units. A network started
    with biases near zero then begins at the data's mean rather than at
    zero, however far from zero the data lie, and with ``scale`` the data's
    spread it reads values of about unit spread, whatever their units."""
    inputs = keras.Input(shape=mean.shape, name="input")
    centre = keras.layers.Rescaling(1.0 / scale, offset=-mean / scale, name="centre")
    outer_encoder = keras.Model(inputs, encoder(centre(inputs)), name=encoder.name)
    if decoder is None:
        return outer_encoder, None
    codes = keras.Input(shape=decoder.inputs[0].shape[1:], name="code")
    uncentre = keras.layers.Rescaling(scale, offset=mean, name="uncentre")
    return outer_encoder, keras.Model(codes, uncentre(decoder(codes)), name=decoder.name)


@keras.saving.register_keras_serializable(package="skae")
class DistancePreservation(keras.layers.Layer):
    """Adds a term that makes code distances follow the inputs' distances.

    Called on ``[inputs, codes]``; returns ``codes`` unchanged. In training it
    adds ``weight * mean((d_code / mean(d_code) - d_x / mean(d_x)) ** 2)`` to
    the model's loss, over every pair of samples of the batch (of its first
    :func:`term_rows`, a bound on memory that default batches reach only with
    ``"shift"`` on sequences of over 2,048 steps), where
    ``d_code`` are Euclidean distances between the codes and ``d_x`` the
    inputs' distances of ``metric`` (below). With padding, each sequence's
    real steps are first stretched over the whole length (linear
    interpolation), so that sequences of unequal lengths are compared on one
    time axis, as when they are resampled to one length (with
    ``padded_spectra``, their spectra are taken over their real steps
    extended with zeros instead). Dividing
    by the batch's mean distance makes the term free of the data's and the
    code's scale. An autoencoder trained on its reconstruction alone may place two
    similar inputs far apart; this term asks the code to rank neighbours as
    the inputs' own distances do, so that nearest-neighbour methods on the
    codes work.

    Parameters
    ----------
    weight : float
        Weight of the term against the reconstruction loss (0: no term).
    mask_value : float or None
        Inputs whose features all equal it at a time step are padding, at the
        start, the end or between real steps. None: every step is data.
    metric : {"euclidean", "shift", "spectrum", "shift+spectrum", \
            "spectrum+shift"}
        ``"euclidean"``: ``d_x`` between the sequences themselves.
        ``"shift"``: the smallest Euclidean distance over every shift of one
        sequence in time against the other (both extended with zeros), so
        that the same pattern a few steps earlier or later is near.
        ``"spectrum"``: between their magnitude spectra (``|rfft|`` over time,
        per feature, after the stretching above), which are blind
        to when a pattern happens in the sequence: two series with the same rhythms and
        shapes at other times are near. ``"shift+spectrum"``: the sum of
        those two, each over its mean. ``"spectrum+shift"``: led by the
        spectra, three parts of theirs to one of the shift distance (each
        over its mean), so that timing still tells apart series of like
        rhythms.
    offset : float, default=0.0
        Subtracted from the inputs' values (after the stretching above,
        before any zeros are added) ahead of their distances: the mean that
        the encoder standardises with, so that a constant added to every
        value, which the shift distance's zero extension and the spectra's
        constant term would see, leaves the term as it is.
    padded_spectra : bool, default=False
        With padding, take the spectra of each sequence's real steps
        extended with zeros to the whole length, times that length over
        its own (:func:`padded_spectra`), instead of stretched: each rhythm
        keeps its frequency, as suits windows of a recording of one
        sampling rate (:func:`auto_spectra`).
    """

    def __init__(self, weight, mask_value=None, metric="euclidean", offset=0.0,
                 padded_spectra=False, **kwargs):
        super().__init__(**kwargs)
        if weight < 0:
            raise ValueError(f"weight must be >= 0, got {weight}.")
        if metric not in _INPUT_DISTANCES:
            raise ValueError(f"metric must be one of {sorted(_INPUT_DISTANCES)}, "
                             f"got {metric!r}.")
        self.weight = float(weight)
        self.mask_value = None if mask_value is None else float(mask_value)
        self.metric = metric
        self.offset = float(offset)
        self.padded_spectra = bool(padded_spectra)
        self.built = True

    def call(self, inputs, training=False):
        x, codes = inputs
        if not training or self.weight == 0:
            return codes
        rows = term_rows(self.metric, x.shape[1])  # of a shuffled batch: a random subset
        x = ops.cast(x[:rows], codes.dtype)
        x, real = ((x[:, :, None], None) if len(x.shape) == 2
                   else (x, real_steps(x, self.mask_value)))
        d_x = _INPUT_DISTANCES[self.metric][0](x - self.offset, real, self.padded_spectra)
        d_code = _normalised_distances(codes[:rows])
        self.add_loss(self.weight * ops.mean(ops.square(d_code - d_x)))
        return codes

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update(weight=self.weight, mask_value=self.mask_value,
                      metric=self.metric, offset=self.offset,
                      padded_spectra=self.padded_spectra)
        return config


# Values in the largest pairwise array of DistancePreservation's term: 64 MB in
# float32. ``"shift"`` (``(rows, rows, 2T)``) reaches it with the default batches
# (at most 64 sequences) at 2,048 steps, the other metrics (``(rows, rows)``) at
# 4,096 samples.
TERM_BUDGET = 2**24


def term_rows(metric, n_steps):
    """How many samples of a batch :class:`DistancePreservation` compares: at
    most as many as keep its largest pairwise array (``rows ** 2`` times the
    metric's values per pair, ``2 * n_steps`` for ``"shift"``, 1 otherwise)
    within :data:`TERM_BUDGET` values, and at least 16, so that a large
    ``batch_size`` (on long sequences) does not run out of memory.
    ``n_steps`` unknown (None) counts as 2,048.

    Examples
    --------
    >>> from skae._nets.layers import term_rows
    >>> term_rows("euclidean", 10_000), term_rows("shift", 427)
    (4096, 140)
    >>> term_rows("shift", 10_000), term_rows("shift", 10**6)
    (28, 16)
    """
    per_pair = _INPUT_DISTANCES[metric][1](n_steps or 2048)
    return max(16, math.isqrt(TERM_BUDGET // per_pair))


def shift_distances(x):
    """Pairwise distances ``(n, n)`` between the sequences of ``x`` ``(n, T,
    F)``: the smallest Euclidean distance over every shift in time of one
    against the other, both extended with zeros. The cross-correlations at
    every shift come from FFTs (``O(n^2 T (F + log T))`` time, ``n^2 * 2T``
    values in memory)."""
    n_steps = x.shape[1]
    re, im = ops.rfft(ops.transpose(x, (0, 2, 1)), fft_length=2 * n_steps)
    # The cross-spectrum X_i * conj(X_j), summed over the features.
    cross_re = ops.einsum("ift,jft->ijt", re, re) + ops.einsum("ift,jft->ijt", im, im)
    cross_im = ops.einsum("ift,jft->ijt", im, re) - ops.einsum("ift,jft->ijt", re, im)
    correlation = ops.irfft((cross_re, cross_im), fft_length=2 * n_steps)
    energy = ops.sum(ops.square(x), axis=(1, 2))
    sq = energy[:, None] + energy[None, :] - 2 * ops.max(correlation, axis=-1)
    return ops.sqrt(ops.maximum(sq, 1e-12))


def magnitude_spectra(x, n_steps=None):
    """``|rfft|`` over time of each feature of ``x`` ``(n, T, F)``, over
    ``n_steps`` steps (default ``T``; fewer steps cut the sequences, more pad
    them with zeros): ``(n, F, n_steps // 2 + 1)``."""
    real, imag = ops.rfft(ops.transpose(x, (0, 2, 1)), fft_length=n_steps)
    return ops.sqrt(ops.square(real) + ops.square(imag))


def padded_spectra(x, real, n_steps=None):
    """Magnitude spectra of the real steps of each sequence of ``x`` ``(n, T,
    F)`` (``real``, boolean ``(n, T)``), moved first and extended with zeros
    to ``n_steps`` (default ``T``; a longer sequence is cut to it), times
    ``n_steps`` over the sequence's length: ``(n, F, n_steps // 2 + 1)``.

    The zeros keep each frequency where it is (stretching a short sequence
    over ``n_steps`` would lower its rhythms by the ratio of the lengths), and
    the factor gives a rhythm the same magnitude in a short sequence as in a
    long one. Sequences of ``n_steps`` real steps get their plain spectra.
    """
    n_steps = x.shape[1] if n_steps is None else int(n_steps)
    x, real = _real_steps_first(x, real)
    x = ops.where(real[:, :, None], x, ops.zeros_like(x))
    length = ops.sum(ops.cast(real[:, :n_steps], x.dtype), axis=1)
    scale = n_steps / ops.maximum(length, 1.0)
    return magnitude_spectra(x, n_steps) * scale[:, None, None]


@keras.saving.register_keras_serializable(package="skae")
class MagnitudeSpectrum(keras.layers.Layer):
    """The magnitude spectra of sequences, flattened: ``(n, T, F)`` ->
    ``(n, F * (n_steps // 2 + 1))``.

    ``|rfft|`` over time of each feature (:func:`magnitude_spectra`): the
    rhythms each feature carries, whatever their phase. A fixed transform
    without weights, so that an encoder can read what the ``"spectrum"``
    distance term compares. With a Keras mask (padded sequences after
    ``Masking``) each sequence's real steps are extended with zeros to
    ``n_steps`` (:func:`padded_spectra`), as the term does.

    Parameters
    ----------
    n_steps : int or None, default=None
        Steps the spectra are taken over; None: the input's length.
    """

    def __init__(self, n_steps=None, **kwargs):
        super().__init__(**kwargs)
        self.n_steps = None if n_steps is None else int(n_steps)
        self.supports_masking = True
        self.built = True

    def call(self, x, mask=None):
        if mask is None:
            spectra = magnitude_spectra(x, self.n_steps)
        else:
            spectra = padded_spectra(x, mask, self.n_steps)
        return ops.reshape(spectra, (ops.shape(spectra)[0], -1))

    def compute_mask(self, inputs, mask=None):
        return None  # no time axis left

    def compute_output_shape(self, input_shape):
        n_steps = input_shape[1] if self.n_steps is None else self.n_steps
        return (input_shape[0], input_shape[2] * (n_steps // 2 + 1))

    def get_config(self):
        config = super().get_config()
        config.update(n_steps=self.n_steps)
        return config


# distance_metric="auto" picks the spectrum-led "spectrum+shift" when, on the
# training sequences, the magnitude spectra bring each one's nearest neighbour at
# least this much closer (relative to the mean distance) than the shift distance
# does, "shift" from SHIFT_CONTRAST, and both equally in between. On the whole
# training splits of aeon's sets the ratio fell in two groups, 0.65-0.70 and
# 0.82-1.0, but on two thirds of a split (a few dozen series) it moved into the
# gap and across it (BasicMotions-cropped 0.73-0.77, GunPoint 0.69-0.89).
# The spectrum-led mix's shift share: on validation splits of the low group's
# sets, 1-NN of the raw series gained most from a share of 0.2-0.3 and the
# codes' from 0.25 over the spectra alone (BENCHMARKS.md).
SPECTRUM_CONTRAST = 0.72
SHIFT_CONTRAST = 0.80
SPECTRUM_LED_SHIFT_SHARE = 0.25


def nearest_contrast(d):
    """Mean distance from each row to its nearest other row, over the mean
    distance between distinct rows, of a distance matrix ``d`` ``(n, n)``:
    small when the rows have close neighbours by this distance."""
    d = np.asarray(d, dtype=np.float64)
    off = ~np.eye(len(d), dtype=bool)
    nearest = np.where(off, d, np.inf).min(axis=1)
    return float(nearest.mean() / max(d[off].mean(), 1e-12))


def auto_metric(x, mask_value=None, offset=0.0):
    """``"spectrum+shift"``, ``"shift"`` or ``"shift+spectrum"`` for the
    sequences ``x`` ``(n, T, F)``.

    Each sequence's real steps are first stretched over ``T`` steps and
    ``offset`` is subtracted from them, and both distances are taken on
    those stretched sequences, on one time axis (the term may take the
    spectra with zeros instead: :func:`auto_spectra`).
    ``"spectrum+shift"`` (led by the spectra) when the
    magnitude spectra's :func:`nearest_contrast` is below
    :data:`SPECTRUM_CONTRAST` times the shift distance's: the timing of
    events then separates the sequences less than their rhythms do (activity
    recordings, waves of random phase). ``"shift"`` from
    :data:`SHIFT_CONTRAST` times it, both equally in between.

    Examples
    --------
    >>> import numpy as np
    >>> from skae._nets.layers import auto_metric
    >>> rng = np.random.RandomState(0)
    >>> t = np.arange(64)
    >>> phase = rng.uniform(0, 2 * np.pi, (40, 1))
    >>> freq = rng.choice([2, 5], (40, 1))
    >>> waves = np.sin(2 * np.pi * freq * t / 64 + phase)[:, :, None]
    >>> auto_metric(waves)
    'spectrum+shift'
    >>> bumps = np.exp(-0.5 * ((t - 20 - 20 * (freq == 5)) / 3.0) ** 2)
    >>> auto_metric((bumps + 0.05 * rng.randn(40, 64))[:, :, None])
    'shift'
    """
    x = resampled(ops.convert_to_tensor(np.asarray(x, dtype="float32")), mask_value) - offset
    # The distances of the term (over their mean, which the ratio ignores), on
    # the stretched sequences: one time axis for both.
    shift, spectrum = (nearest_contrast(ops.convert_to_numpy(_INPUT_DISTANCES[m][0](x, None)))
                       for m in ("shift", "spectrum"))
    ratio = spectrum / max(shift, 1e-12)
    if ratio < SPECTRUM_CONTRAST:
        return "spectrum+shift"
    return "shift" if ratio >= SHIFT_CONTRAST else "shift+spectrum"


def auto_spectra(x, mask_value, offset=0.0):
    """Whether the spectra of the padded sequences ``x`` ``(n, T, F)`` are
    better taken with zeros (True) than stretched (False): whichever brings
    each sequence's nearest neighbour closer, relative to the mean distance
    (:func:`nearest_contrast`), as :func:`auto_metric` compares distances.
    Zeros keep each rhythm's frequency, as in windows cut from recordings
    at one sampling rate; stretching keeps each sequence's course from
    start to end, as when one gesture is made at different speeds.

    Examples
    --------
    >>> import numpy as np
    >>> from skae._nets.layers import auto_spectra
    >>> rng = np.random.RandomState(0)
    >>> freq, length = rng.choice([0.1, 0.25], 40), rng.randint(20, 61, 40)
    >>> windows = np.full((40, 60, 1), -9.0, np.float32)
    >>> gestures = np.full((40, 60, 1), -9.0, np.float32)
    >>> for i, (f, n) in enumerate(zip(freq, length)):
    ...     t = np.arange(n)
    ...     windows[i, :n, 0] = np.sin(2 * np.pi * f * t + rng.uniform(0, 6))
    ...     gestures[i, :n, 0] = np.sin(np.pi * (1 + (f > 0.2)) * t / n)
    >>> bool(auto_spectra(windows, -9.0)), bool(auto_spectra(gestures, -9.0))
    (True, False)
    """
    x = ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    real = real_steps(x, mask_value)
    if real is None:
        return False
    padded, stretched = (
        nearest_contrast(ops.convert_to_numpy(_spectrum(x - offset, real, zeros)))
        for zeros in (True, False))
    return padded < stretched


@keras.saving.register_keras_serializable(package="skae")
class Resample(keras.layers.Layer):
    """Each sequence's real steps linearly interpolated to ``n_steps`` steps.

    Input ``(n, T, F)`` with any ``T``; output ``(n, n_steps, F)``. Steps whose
    features all equal ``mask_value`` are padding and are skipped, so that
    sequences of unequal lengths land on one time axis, as when a collection
    is resampled to one length. Without ``mask_value`` and with ``T ==
    n_steps`` the layer is the identity.

    Parameters
    ----------
    n_steps : int
        Length of the output sequences.
    mask_value : float or None
        The padding value; None: every step is data.
    """

    def __init__(self, n_steps, mask_value=None, **kwargs):
        super().__init__(**kwargs)
        self.n_steps = int(n_steps)
        self.mask_value = None if mask_value is None else float(mask_value)
        self.built = True

    def call(self, x):
        return resampled(x, self.mask_value, self.n_steps)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_steps, input_shape[2])

    def get_config(self):
        config = super().get_config()
        config.update(n_steps=self.n_steps, mask_value=self.mask_value)
        return config


def resampled(x, mask_value, n_out=None):
    """Each sequence of ``x`` ``(n, T, F)`` with its real steps (those whose
    features do not all equal ``mask_value``; every step when it is None)
    linearly interpolated to ``n_out`` steps (default ``T``): sequences of
    unequal lengths on one time axis. ``x`` itself when nothing is masked and
    the length is kept."""
    n_out = x.shape[1] if n_out is None else n_out
    real = real_steps(x, mask_value)
    if real is None:
        if x.shape[1] == n_out:
            return x
        real = ops.ones(ops.shape(x)[:2], dtype="bool")
    return _stretched(x, real, n_out)


def real_steps(x, mask_value):
    """Boolean ``(n, T)``: the steps of ``x`` ``(n, T, F)`` whose features do
    not all equal ``mask_value``; None when it is None (every step is data)."""
    if mask_value is None:
        return None
    return ops.any(ops.not_equal(x, mask_value), axis=-1)


def _stretched(x, real, n_out):
    """``x`` ``(n, T, F)`` with its real steps (``real``, boolean ``(n, T)``,
    anywhere in the sequence) moved first and interpolated to ``n_out``."""
    x, real = _real_steps_first(x, real)
    real = ops.cast(real, "int32")
    last = ops.cast(ops.maximum(ops.sum(real, axis=1, keepdims=True) - 1, 0), x.dtype)
    pos = ops.arange(n_out, dtype=x.dtype)[None, :] * last / max(n_out - 1, 1)
    lo = ops.cast(ops.floor(pos), "int32")
    hi = ops.minimum(lo + 1, ops.cast(last, "int32"))
    frac = (pos - ops.cast(lo, x.dtype))[:, :, None]
    return (ops.take_along_axis(x, lo[:, :, None], axis=1) * (1.0 - frac)
            + ops.take_along_axis(x, hi[:, :, None], axis=1) * frac)


def _real_steps_first(x, real):
    """``(x, real)`` with each sequence's real steps moved first, in their
    order, and the padding after them."""
    n_steps = ops.shape(x)[1]
    real = ops.cast(real, "int32")
    order = ops.argsort((1 - real) * n_steps + ops.arange(n_steps)[None, :], axis=1)
    return (ops.take_along_axis(x, order[:, :, None], axis=1),
            ops.cast(ops.take_along_axis(real, order, axis=1), "bool"))


def pairwise_sq_distances(z, other=None):
    """Squared Euclidean distances between the rows of ``z`` ``(n, d)`` and
    those of ``other`` ``(m, d)`` (``z`` itself by default), as an ``(n, m)``
    tensor (rounding below zero clipped)."""
    other = z if other is None else other
    sq = ops.sum(ops.square(z), axis=1)
    sq_other = sq if other is z else ops.sum(ops.square(other), axis=1)
    return ops.maximum(
        sq[:, None] + sq_other[None, :] - 2.0 * ops.matmul(z, ops.transpose(other)),
        0.0)


def _normalised_distances(z):
    """Pairwise Euclidean distances of the rows of ``z``, over their mean."""
    return _over_mean(ops.sqrt(ops.maximum(pairwise_sq_distances(z), 1e-12)))


def _over_mean(d):
    """Distances ``d`` divided by their mean: free of the data's scale."""
    return d / ops.maximum(ops.mean(d), 1e-12)


def _flat_distances(x):
    """Normalised Euclidean distances between the flattened samples of ``x``."""
    return _normalised_distances(ops.reshape(x, (ops.shape(x)[0], -1)))


def _on_one_axis(x, real):
    """``x`` with each sequence's real steps stretched over its length (``x``
    itself when ``real`` is None: every step is data)."""
    return x if real is None else _stretched(x, real, x.shape[1])


def _spectra(x, real, padded=False):
    """The magnitude spectra the ``"spectrum"`` term compares: with padding,
    of the real steps stretched over the length, or with ``padded`` extended
    with zeros instead (:func:`padded_spectra`)."""
    if padded and real is not None:
        return padded_spectra(x, real)
    return magnitude_spectra(_on_one_axis(x, real))


def _euclidean(x, real, padded=False):
    return _flat_distances(_on_one_axis(x, real))


def _shift(x, real, padded=False):
    return _over_mean(shift_distances(_on_one_axis(x, real)))


def _spectrum(x, real, padded=False):
    return _flat_distances(_spectra(x, real, padded))


def _mixed_distances(x, real, padded, shift_share):
    """``shift_share`` times the shift distances plus the rest times the
    spectra's, each over its mean, then over the sum's mean (the sequences
    stretched once for both)."""
    stretched = _on_one_axis(x, real)
    shift = _shift(stretched, None)
    spectra = _spectrum(x, real, True) if padded else _spectrum(stretched, None)
    return _over_mean(shift_share * shift + (1.0 - shift_share) * spectra)


def _shift_spectrum(x, real, padded=False):
    return _mixed_distances(x, real, padded, 0.5)


def _spectrum_shift(x, real, padded=False):
    return _mixed_distances(x, real, padded, SPECTRUM_LED_SHIFT_SHARE)


def _one_per_pair(n_steps):
    return 1


def _two_per_step(n_steps):
    return 2 * n_steps


# DistancePreservation's metrics: name -> (distance of sequences ``(n, T, F)``
# with their real steps ``(n, T)`` or None and whether spectra are padded,
# normalised ``(n, n)``; values per pair in its largest array, from ``T``).
_INPUT_DISTANCES = {
    "euclidean": (_euclidean, _one_per_pair),
    "shift": (_shift, _two_per_step),
    "spectrum": (_spectrum, _one_per_pair),
    "shift+spectrum": (_shift_spectrum, _two_per_step),
    "spectrum+shift": (_spectrum_shift, _two_per_step),
}
