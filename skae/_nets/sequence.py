"""Recurrent (LSTM/GRU) encoders and decoders for sequence autoencoders.

Two architectures:

* ``"bidirectional"`` (skae's default): bidirectional recurrent layers read
  the sequence, and a linear ``Dense`` layer of ``n_components`` units on
  their final states, plus a linear map of the whole sequence (resampled to
  the fitted length) and, for a distance term on the spectra, one of its
  magnitude spectra, is the code;
  the decoder projects the code to one vector per time step (a linear
  ``Dense`` layer reshaped to ``(timesteps, width)``, so every step gets its
  own input), runs bidirectional recurrent layers over them and maps each step
  to the features.
* ``"tutorial"``: the tutorial's ``LSTM(latent_dim) -> RepeatVector(timesteps)
  -> LSTM(input_dim, return_sequences=True)``. skae ends its decoder with a
  per-step ``Dense`` layer carrying the estimator's output activation (sigmoid
  for data in [0, 1], linear otherwise), so that real-valued sequences are not
  squeezed through the recurrent layer's ``tanh`` into [-1, 1].

Only built-in Keras layers and skae's registered ones (``ClippedGaussianNoise``,
``Resample``, ``MagnitudeSpectrum``) are used, so the models save to ``.keras``
and load with ``safe_mode=True`` on every backend.
"""

import keras

from .dense import _dense
from .layers import MagnitudeSpectrum, Resample, no_seeds

_CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}


def _recurrent(cell, units, return_sequences, seed, name, go_backwards=False):
    # One seed per layer; the recurrent kernel gets a seed derived from it so
    # that the two initializers do not draw the same stream.
    recurrent_seed = None if seed is None else (seed + 1) % (2**31 - 1)
    return _CELLS[cell](
        units,
        return_sequences=return_sequences,
        go_backwards=go_backwards,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        recurrent_initializer=keras.initializers.Orthogonal(seed=recurrent_seed),
        name=name,
    )


def _bidirectional(cell, units, return_sequences, seeds, name):
    """Forward and backward layers of ``units`` each, seeded apart."""
    forward = _recurrent(cell, units, return_sequences, next(seeds), f"{name}_fw")
    backward = _recurrent(cell, units, return_sequences, next(seeds),
                          f"{name}_bw", go_backwards=True)
    return keras.layers.Bidirectional(forward, backward_layer=backward, name=name)


def _standardize(values, inverse=False):
    """``Rescaling`` that maps values of ``(mean, std)`` to mean 0 and
    standard deviation 1 (``inverse``: back), or None for ``values=None``."""
    if values is None:
        return None
    mean, std = values
    if inverse:
        return keras.layers.Rescaling(std, offset=mean, name="unstandardize")
    return keras.layers.Rescaling(1.0 / std, offset=-mean / std, name="standardize")


def build_sequence_encoder(
    sequence_shape, n_components, hidden_layer_sizes=(), cell="lstm",
    mask_value=None, noise=None, seeds=None, architecture="tutorial",
    standardize=None, spectrum_path=False, frame=1,
):
    """Input ``(timesteps, n_features)`` -> stacked recurrent layers -> code.

    ``architecture="tutorial"``: the code is the last state of a recurrent
    layer of ``n_components`` units (bounded by ``tanh`` to [-1, 1], as in the
    tutorial), after recurrent layers of ``hidden_layer_sizes``.
    ``architecture="bidirectional"``: bidirectional recurrent layers of
    ``hidden_layer_sizes`` units per direction (one of ``n_components`` when
    empty), the last one keeping its final states, then a linear ``Dense``
    code of ``n_components`` values, to which a linear map of the whole
    sequence is added: its real steps resampled to ``timesteps`` (skae's
    ``Resample`` layer, so any length is read), flattened, through a
    ``Dense`` layer without bias initialised at zero. On validation splits of
    small aeon training sets (24 to 33 series) the recurrent path alone gave
    codes whose 1-NN accuracy moved by up to 41 points from one seed to the
    next; with the linear path it stayed near PCA's (BENCHMARKS.md). With
    ``spectrum_path`` a third term joins the code: a linear map, initialised
    at zero, of the resampled sequence's magnitude spectra (skae's
    ``MagnitudeSpectrum`` layer; with ``spectrum_path="padded"``, of its
    real steps extended with zeros), which is what the distance terms on
    the spectra compare. On a validation split of aeon's BasicMotions (14 series,
    seeds 0 / 1 / 2) it raised the codes' 1-NN accuracy from 0.929 / 0.857 /
    0.786 to 1.0 on each seed (BENCHMARKS.md).

    Parameters
    ----------
    sequence_shape : tuple of int
        ``(timesteps, n_features)`` of one sample.
    n_components : int
        Size of the code.
    hidden_layer_sizes : tuple of int
        Widths of the recurrent layers before the code layer (each returns
        its full sequence to the next).
    cell : {"lstm", "gru"}
        Recurrent cell.
    mask_value : float or None
        If given, a ``Masking`` layer first marks the time steps whose features
        all equal ``mask_value`` as padding; the recurrent layers skip them,
        and the encoder accepts sequences of any length.
    noise : keras.layers.Layer or None
        A training-only noise layer placed after ``Masking`` (so that padded
        steps are still recognised), used when masking is on.
    seeds : iterator of int or None
        One seed per layer.
    standardize : tuple of (float, float) or None
        ``(mean, std)`` of the data: the layers after ``Masking`` and the
        noise read the values standardised with them (a ``Rescaling`` layer,
        which keeps the mask), so that their scale does not depend on the
        data's units.
    spectrum_path : bool or "padded"
        ``architecture="bidirectional"`` only: add the linear map of the
        magnitude spectra to the code; with ``"padded"`` and masking, of
        each sequence's real steps extended with zeros rather than
        stretched (skae's ``padded_spectra``).
    frame : int
        ``architecture="bidirectional"`` without ``mask_value`` only: steps
        per frame the recurrent layers read (1: every step on its own).
    """
    seeds = seeds if seeds is not None else no_seeds()
    scaling = _standardize(standardize)
    # With masking (padded sequences) the encoder reads any number of steps.
    shape = tuple(sequence_shape) if mask_value is None else (None, sequence_shape[1])
    inputs = keras.Input(shape=shape, name="encoder_input")
    x = inputs
    if mask_value is not None:
        x = keras.layers.Masking(mask_value=float(mask_value), name="masking")(x)
    if noise is not None:
        x = noise(x)
    if scaling is not None:
        x = scaling(x)
    masked = x
    if architecture == "bidirectional":
        if frame > 1:
            x = _framed(x, sequence_shape, frame)
        widths = tuple(hidden_layer_sizes) or (n_components,)
        for i, units in enumerate(widths):
            last = i == len(widths) - 1
            x = _bidirectional(cell, units, not last, seeds, f"encoder_{cell}_{i}")(x)
        code = _dense(n_components, None, next(seeds), "code")(x)
        spectrum_of = None
        if spectrum_path:  # "padded": the real steps, which the mask keeps
            padded = spectrum_path == "padded" and mask_value is not None
            spectrum_of = masked if padded else "steps"
        paths = _linear_paths(inputs, sequence_shape[0], n_components, mask_value,
                              noise, scaling, spectrum_of)
        code = keras.layers.Add(name="code_sum")([code, *paths])
        return keras.Model(inputs, code, name="encoder")
    for i, units in enumerate(hidden_layer_sizes):
        x = _recurrent(cell, units, True, next(seeds), f"encoder_{cell}_{i}")(x)
    code = _recurrent(cell, n_components, False, next(seeds), "code")(x)
    return keras.Model(inputs, code, name="encoder")


def _framed(x, sequence_shape, frame):
    """``(n, T, F)`` -> ``(n, ceil(T / frame), frame * F)``: each group of
    ``frame`` consecutive steps as one step holding their values (the last
    group extended with zeros)."""
    n_steps, n_features = sequence_shape
    pad = -n_steps % frame
    if pad:
        x = keras.layers.ZeroPadding1D((0, pad), name="frame_padding")(x)
    return keras.layers.Reshape(((n_steps + pad) // frame, frame * n_features),
                                name="frames")(x)


def _linear_paths(inputs, n_steps, n_components, mask_value, noise=None, scaling=None,
                  spectrum=None):
    """Linear maps into the code, each initialised at zero: of the whole
    sequence, its real steps resampled to ``n_steps`` and flattened, and with
    ``spectrum`` of magnitude spectra too: ``"steps"``, of those resampled
    steps (sequences of one length), or a masked tensor (padded sequences),
    of its real steps extended with zeros to ``n_steps``, which keeps their
    rhythms' frequencies as the distance term does. ``noise`` (the
    encoder's training noise, used with masking) also reaches these paths,
    so that a denoising model never reads the clean input, and so does
    ``scaling``."""
    steps = Resample(n_steps, mask_value, name="resample")(inputs)
    if noise is not None:
        steps = noise(steps)
    if scaling is not None:
        steps = scaling(steps)
    features = {"linear": keras.layers.Flatten(name="flat_steps")(steps)}
    if spectrum is not None:
        features["spectrum"] = (MagnitudeSpectrum(name="spectra")(steps) if spectrum == "steps"
                                else MagnitudeSpectrum(n_steps, name="spectra")(spectrum))
    return [keras.layers.Dense(n_components, use_bias=False, kernel_initializer="zeros",
                               name=f"code_{kind}")(values)
            for kind, values in features.items()]


def build_sequence_decoder(
    n_components, sequence_shape, hidden_layer_sizes=(), cell="lstm",
    output_activation="sigmoid", seeds=None, architecture="tutorial",
    standardize=None, frame=1,
):
    """Code -> one input per time step -> recurrent layers -> per-step Dense.

    The recurrent layers have the widths of ``hidden_layer_sizes`` reversed
    (mirroring the encoder), or one layer of ``n_components`` units when it is
    empty; a ``Dense(n_features, output_activation)`` applied at every step
    gives the reconstruction. ``architecture="tutorial"`` repeats the code at
    every step (``RepeatVector``); ``"bidirectional"`` projects it with a
    linear ``Dense`` layer to ``(timesteps, width)`` (the width of the first
    recurrent layer) and its recurrent layers are bidirectional. With
    ``standardize=(mean, std)`` (the encoder's) a ``Rescaling`` layer maps the
    reconstruction back to the data's units. With ``frame > 1``
    (``"bidirectional"`` only, as the estimator's ``_frame`` decides for
    both builders) the recurrent layers run over ``ceil(timesteps / frame)``
    frames, and the per-step ``Dense`` layer gives each frame's ``frame``
    steps, the encoder's framing undone.
    """
    seeds = seeds if seeds is not None else no_seeds()
    timesteps, n_features = sequence_shape
    widths = tuple(reversed(tuple(hidden_layer_sizes))) or (n_components,)
    inputs = keras.Input(shape=(n_components,), name="decoder_input")
    n_frames = -(-timesteps // frame)
    if architecture == "bidirectional":
        x = _dense(n_frames * widths[0], None, next(seeds), "steps")(inputs)
        x = keras.layers.Reshape((n_frames, widths[0]), name="per_step")(x)
        for i, units in enumerate(widths):
            x = _bidirectional(cell, units, True, seeds, f"decoder_{cell}_{i}")(x)
    else:
        x = keras.layers.RepeatVector(timesteps, name="repeat")(inputs)
        for i, units in enumerate(widths):
            x = _recurrent(cell, units, True, next(seeds), f"decoder_{cell}_{i}")(x)
    outputs = _dense(frame * n_features, output_activation, next(seeds), "reconstruction")(x)
    if frame > 1:  # each frame's steps back in line, the padding cut
        outputs = keras.layers.Reshape((n_frames * frame, n_features), name="unframed")(outputs)
        if n_frames * frame > timesteps:
            outputs = keras.layers.Cropping1D((0, n_frames * frame - timesteps),
                                              name="frame_cropping")(outputs)
    if standardize is not None:
        outputs = _standardize(standardize, inverse=True)(outputs)
    return keras.Model(inputs, outputs, name="decoder")
