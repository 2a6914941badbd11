"""Validation of the parameters that several estimators (and the plots) share.

Each check returns the value in a canonical form (a tuple of ints) or raises
``ValueError`` with a message that names the parameter and the value given.
"""

import math
from numbers import Integral

ACTIVATIONS = {"relu", "sigmoid", "tanh", "linear", "elu", "selu", "gelu",
               "softplus", "swish", "leaky_relu"}


def _is_positive_int(value):
    """Whether ``value`` is a positive integer (``bool`` is not one)."""
    return isinstance(value, Integral) and not isinstance(value, bool) and value > 0


def check_layer_sizes(sizes, name="hidden_layer_sizes"):
    """Return ``sizes`` as a tuple of positive ints, or raise ``ValueError``.

    Parameters
    ----------
    sizes : int or iterable of int
        Widths of layers (a single int means one layer); may be empty.
    name : str, default="hidden_layer_sizes"
        Name of the parameter, for the error message.

    Returns
    -------
    sizes : tuple of int
        The sizes, as Python ints.

    Examples
    --------
    >>> from skae._validation import check_layer_sizes
    >>> check_layer_sizes([64, 32])
    (64, 32)
    >>> check_layer_sizes(8, name="filters")
    (8,)
    """
    try:
        sizes = tuple(sizes)
    except TypeError:
        sizes = (sizes,)
    if not all(_is_positive_int(s) for s in sizes):
        raise ValueError(
            f"{name} must be a sequence of positive integers, got {sizes!r}."
        )
    return tuple(int(s) for s in sizes)


def check_image_shape(image_shape, channels=None, n_values=None):
    """Return ``image_shape`` as ``(height, width, channels)``, or raise.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width)`` (one channel) or ``(height, width, channels)``.
    channels : collection of int, default=None
        The channel counts allowed; any positive count when None.
    n_values : int, default=None
        The number of values per sample of the data the images come from
        (``n_features``), which an image must hold; not checked when None.

    Returns
    -------
    image_shape : tuple of (int, int, int)
        Height, width and number of channels, as Python ints.

    Raises
    ------
    ValueError
        If ``image_shape`` is not 2 or 3 positive integers, has a number
        of channels outside ``channels``, or holds other than ``n_values``
        values.

    Examples
    --------
    >>> from skae._validation import check_image_shape
    >>> check_image_shape((28, 28))
    (28, 28, 1)
    >>> check_image_shape([8, 8, 3], channels=(1, 3, 4), n_values=192)
    (8, 8, 3)
    """
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = ()
    if len(shape) == 2:
        shape = shape + (1,)
    ok = len(shape) == 3 and all(_is_positive_int(s) for s in shape)
    if not ok or (channels is not None and shape[2] not in channels):
        allowed = ""
        if channels is not None:
            allowed = " with " + ", ".join(map(str, channels[:-1]))
            allowed += f" or {channels[-1]} channels"
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels) "
            f"of positive integers{allowed}, or None, got {image_shape!r}."
        )
    if n_values is not None and math.prod(shape) != n_values:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {math.prod(shape)} values "
            f"per image, but X has {n_values} features per sample. Pass "
            "image_shape=(height, width, channels) with height * width * "
            "channels == n_features."
        )
    return tuple(int(s) for s in shape)


def check_kernel_size(kernel_size):
    """Return ``kernel_size`` as a pair of positive ints, or raise.

    Parameters
    ----------
    kernel_size : int or tuple of (int, int)
        Side of a square kernel, or ``(height, width)``.

    Returns
    -------
    kernel_size : tuple of (int, int)

    Examples
    --------
    >>> from skae._validation import check_kernel_size
    >>> check_kernel_size(3)
    (3, 3)
    """
    if isinstance(kernel_size, Integral) and not isinstance(kernel_size, bool):
        kernel_size = (kernel_size, kernel_size)
    try:
        pair = tuple(kernel_size)
    except TypeError:
        pair = ()
    if len(pair) != 2 or not all(_is_positive_int(k) for k in pair):
        raise ValueError(
            "kernel_size must be a positive integer or a pair of them, got "
            f"{kernel_size!r}."
        )
    return tuple(int(k) for k in pair)
