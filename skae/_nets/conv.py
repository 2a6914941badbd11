"""Convolutional encoder and decoder (the tutorial's conv autoencoder and denoiser).

The encoder is a stack of ``Conv2D`` + 2x2 pooling (``padding="same"``) blocks;
the decoder mirrors it with ``Conv2D`` + ``UpSampling2D`` blocks and a last
``Conv2D`` to the image's channels. Only standard Keras layers are used (no
``Lambda``), so the models save to ``.keras`` files that load in safe mode, on
every backend.

The geometry helpers (:func:`pooled_sizes`, :func:`decoder_plan`) are plain
Python, so that sizes can be checked before any layer is built.
"""

import math

import keras

from .dense import _dense
from .layers import no_seeds


def pool_factors(image_shape):
    """Pooling (and upsampling) factor per axis: 2, or 1 for a one-pixel side.

    A one-row (or one-column) image is a 1-D signal: it is pooled along its
    long axis only.
    """
    return tuple(2 if int(s) > 1 else 1 for s in image_shape[:2])


def pooled_sizes(size, n_pool, factor=2):
    """Side lengths seen by each pooling: ``[size, ceil(size/2), ...]``.

    Returns ``n_pool + 1`` values: the input side, then the side after each
    ``padding="same"`` pooling by ``factor``.
    """
    sizes = [int(size)]
    for _ in range(n_pool):
        sizes.append(math.ceil(sizes[-1] / factor))
    return sizes


def effective_kernel(image_shape, kernel_size):
    """Kernel per axis, 1 along a one-pixel side (a 1-D convolution there)."""
    return tuple(1 if int(s) == 1 else int(k)
                 for s, k in zip(image_shape[:2], kernel_size))


#: ``filters="auto"``: these widths, one downsampling block each, cut short
#: on small images (see :func:`auto_filters`).
AUTO_FILTERS = (32, 64, 128)


def auto_filters(image_shape, widths=AUTO_FILTERS, min_side=2):
    """The first entries of ``widths`` whose downsamplings leave every pooled
    side at least ``min_side`` pixels (at least one entry).

    28x28 MNIST gets all three blocks (a 4x4 last map); 8x8 digits get two (2x2).

    >>> from skae._nets.conv import auto_filters
    >>> auto_filters((28, 28, 1)), auto_filters((8, 8, 1)), auto_filters((1, 5, 1))
    ((32, 64, 128), (32, 64), (32, 64))
    """
    factors = pool_factors(image_shape)
    for n in range(len(widths), 1, -1):
        sides = [pooled_sizes(size, n, factor)[-1]
                 for size, factor in zip(image_shape[:2], factors) if factor > 1]
        if min(sides) >= min_side:
            return tuple(widths[:n])
    return tuple(widths[:1])


def check_image_geometry(image_shape, n_pool):
    """Raise ``ValueError`` unless ``n_pool`` poolings make sense on the image.

    Each pooling halves the sides (rounding up). A side that is one pixel
    before a pooling would be "pooled" to itself, which means the image is too
    small for that many layers; a side that is one pixel from the start (a
    one-row image, i.e. a 1-D signal) is never pooled.
    """
    height, width = image_shape[:2]
    if height == 1 and width == 1:
        raise ValueError(
            "a 1x1 image (n_features=1 per channel) cannot be pooled: a "
            "convolutional autoencoder needs images of at least 2 pixels."
        )
    for axis, size, factor in zip(("height", "width"), (height, width),
                                  pool_factors(image_shape)):
        if factor == 1:
            continue
        sizes = pooled_sizes(size, n_pool, factor)
        for i, before in enumerate(sizes[:-1]):
            if before < 2:
                raise ValueError(
                    f"image {axis} {size} is too small for {n_pool} pooling "
                    f"layers: it is {before} pixel(s) before pooling {i + 1} "
                    f"(sides after each pooling: {sizes[1:]}). Use fewer "
                    "filters (one pooling per entry of `filters`) or larger "
                    "images."
                )


def decoder_plan(image_shape, n_pool, kernel_size, allow_valid=True):
    """How the decoder lands exactly on the input size.

    Upsampling the code ``n_pool`` times gives ``ceil(size / 2**n_pool) *
    2**n_pool`` pixels per side, up to ``2**n_pool - 1`` too many. Two ways
    remove the excess:

    * the tutorial's trick: when both sides overshoot by exactly
      ``2 * (kernel - 1)`` (28x28 with three poolings: 32 vs 28), the last
      decoder convolution before the final upsampling is unpadded
      (``padding="valid"``, 16 -> 14), then upsampled to 28;
    * otherwise, the surplus rows and columns are cropped with
      ``Cropping2D`` at the bottom and right, where ``padding="same"``
      pooling put its padding. With ``allow_valid=False`` (transposed
      convolutions, which always pad) this is the only way.

    Returns
    -------
    valid_last : bool
        Whether the last decoder convolution is unpadded.
    crop : tuple of tuple of int
        ``((top, bottom), (left, right))`` for ``Cropping2D``, or None.
    """
    kh, kw = effective_kernel(image_shape, kernel_size)
    fh, fw = pool_factors(image_shape)
    height, width = image_shape[:2]
    excess_h = pooled_sizes(height, n_pool, fh)[-1] * fh**n_pool - height
    excess_w = pooled_sizes(width, n_pool, fw)[-1] * fw**n_pool - width
    if (allow_valid and n_pool >= 1 and excess_h == fh * (kh - 1)
            and excess_w == fw * (kw - 1) and excess_h + excess_w > 0):
        return True, None
    if excess_h or excess_w:
        return False, ((0, excess_h), (0, excess_w))
    return False, None


def _conv(filters, kernel_size, activation, seed, name, padding="same"):
    return keras.layers.Conv2D(
        filters,
        kernel_size,
        activation=activation,
        padding=padding,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        name=name,
    )


def _pool(pooling, factors, name):
    if pooling == "max":
        return keras.layers.MaxPooling2D(factors, padding="same", name=name)
    if pooling == "average":
        return keras.layers.AveragePooling2D(factors, padding="same", name=name)
    raise ValueError(
        f"pooling must be 'stride', 'max' or 'average', got {pooling!r}."
    )


def feature_map_shape(image_shape, n_pool, last_filters):
    """Shape of the encoder's last feature map: each side halved ``n_pool``
    times (rounding up; a one-pixel side stays one pixel)."""
    sides = [pooled_sizes(size, n_pool, factor)[-1]
             for size, factor in zip(image_shape[:2], pool_factors(image_shape))]
    return (sides[0], sides[1], int(last_filters))


def build_conv_encoder(
    image_shape, filters=(16, 8, 8), kernel_size=(3, 3), activation="relu",
    pooling="max", seeds=None, n_components=None,
):
    """Image ``(h, w, c)`` -> one downsampling block per entry of ``filters`` -> code.

    A block is a ``Conv2D`` with a stride of 2 (``pooling="stride"``), or a
    ``Conv2D`` followed by a 2x2 max or average pooling (the tutorial's). Each
    halves the sides, rounding up (a one-pixel side stays one pixel: a one-row
    image is a 1-D signal). With ``n_components=None`` the code is the last
    feature map, of shape ``(ceil(h / 2**L), ceil(w / 2**L), filters[-1])``
    with ``L = len(filters)``; otherwise that map is flattened into a linear
    ``Dense`` code of ``n_components`` values.
    """
    seeds = no_seeds() if seeds is None else seeds
    image_shape = tuple(int(s) for s in image_shape)
    check_image_geometry(image_shape, len(filters))
    kernel = effective_kernel(image_shape, kernel_size)
    factors = pool_factors(image_shape)
    inputs = keras.Input(shape=image_shape, name="encoder_input")
    x = inputs
    for i, n_filters in enumerate(filters):
        last = i == len(filters) - 1 and n_components is None
        name = "code" if last else f"encoder_pool_{i}"
        if pooling == "stride":
            x = keras.layers.Conv2D(
                n_filters, kernel, strides=factors, activation=activation,
                padding="same", name=name,
                kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            )(x)
            continue
        x = _conv(n_filters, kernel, activation, next(seeds), f"encoder_conv_{i}")(x)
        x = _pool(pooling, factors, name)(x)
    if n_components is not None:
        x = keras.layers.Flatten(name="encoder_flatten")(x)
        x = _dense(int(n_components), "linear", next(seeds), "code")(x)
    return keras.Model(inputs, x, name="encoder")


def build_conv_decoder(
    code_shape, image_shape, filters=(16, 8, 8), kernel_size=(3, 3),
    activation="relu", output_activation="sigmoid", seeds=None, pooling="max",
):
    """Code -> one upsampling block per filter, mirrored -> image ``(h, w, c)``.

    A flat code (``code_shape=(n_components,)``) first goes through a
    ``Dense`` layer to the encoder's last feature map. A block is a
    ``Conv2DTranspose`` with a stride of 2 (``pooling="stride"``) or a
    ``Conv2D`` followed by ``UpSampling2D`` (the tutorial's). The decoder lands
    exactly on ``image_shape`` (see :func:`decoder_plan`); a last ``Conv2D``
    with ``output_activation`` gives the image's channels.
    """
    seeds = no_seeds() if seeds is None else seeds
    image_shape = tuple(int(s) for s in image_shape)
    filters = tuple(filters)
    # Transposed convolutions always pad: their surplus is cropped.
    valid_last, crop = decoder_plan(image_shape, len(filters), kernel_size,
                                    allow_valid=pooling != "stride")
    kernel = effective_kernel(image_shape, kernel_size)
    factors = pool_factors(image_shape)
    inputs = keras.Input(shape=tuple(code_shape), name="decoder_input")
    x = inputs
    if len(code_shape) == 1:
        map_shape = feature_map_shape(image_shape, len(filters), filters[-1])
        x = _dense(math.prod(map_shape), activation, next(seeds), "decoder_dense")(x)
        x = keras.layers.Reshape(map_shape, name="decoder_reshape")(x)
    for step, i in enumerate(reversed(range(len(filters)))):
        if pooling == "stride":
            x = keras.layers.Conv2DTranspose(
                filters[i], kernel, strides=factors, activation=activation,
                padding="same", name=f"decoder_upsample_{step}",
                kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            )(x)
            continue
        padding = "valid" if (valid_last and i == 0) else "same"
        x = _conv(filters[i], kernel, activation, next(seeds),
                  f"decoder_conv_{step}", padding=padding)(x)
        x = keras.layers.UpSampling2D(factors, name=f"decoder_upsample_{step}")(x)
    if crop is not None:
        x = keras.layers.Cropping2D(crop, name="decoder_crop")(x)
    outputs = _conv(image_shape[-1], kernel, output_activation, next(seeds),
                    "reconstruction")(x)
    return keras.Model(inputs, outputs, name="decoder")
