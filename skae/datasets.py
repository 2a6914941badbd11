"""Data loaders: the bundled digits, and MNIST files in the Keras layout.

skae itself never needs MNIST; these helpers let the tour, the tests and the
benchmarks use a copy when one is given or found.
"""

import os
from pathlib import Path

import numpy as np

#: Environment variable naming a Keras-layout ``mnist.npz``.
MNIST_ENV = "SKAE_MNIST"

_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_mnist(path):
    """Load a Keras-layout ``mnist.npz`` scaled to [0, 1].

    Parameters
    ----------
    path : str or path-like
        File with arrays ``x_train``, ``y_train``, ``x_test`` and ``y_test``
        (images as uint8 of shape ``(n, 28, 28)``), as
        ``keras.datasets.mnist.load_data`` stores it.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : tuple of tuples of ndarray
        Images as float32 in [0, 1] of shape ``(n, 28, 28)``; labels as int.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not an ``.npz`` archive with the four arrays.

    Examples
    --------
    >>> from skae.datasets import find_mnist, load_mnist
    >>> path = find_mnist()
    >>> if path is not None:
    ...     (x_train, y_train), (x_test, y_test) = load_mnist(path)
    ...     assert x_test.shape == (10000, 28, 28)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no MNIST file at {str(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in _KEYS if k not in data.files]
            if missing:
                raise ValueError(
                    f"{str(path)!r} lacks the arrays {missing}; expected the Keras "
                    "mnist.npz layout (x_train, y_train, x_test, y_test)."
                )
            arrays = {k: data[k] for k in _KEYS}
    except (OSError, ValueError, EOFError) as exc:
        if isinstance(exc, ValueError) and "lacks the arrays" in str(exc):
            raise
        raise ValueError(f"{str(path)!r} is not a readable .npz file: {exc}") from exc
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.ndim != 3 or len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"{str(path)!r}: x_{part} must be (n, height, width) images with "
                f"one label each, got x {x.shape} and y {y.shape}."
            )
    scale = 255.0 if arrays["x_train"].dtype == np.uint8 else 1.0
    return (
        (arrays["x_train"].astype(np.float32) / scale, arrays["y_train"].astype(int)),
        (arrays["x_test"].astype(np.float32) / scale, arrays["y_test"].astype(int)),
    )


def find_mnist():
    """Path of a local ``mnist.npz``, or None.

    Looks at the ``SKAE_MNIST`` environment variable first, then at
    ``../shared/data/mnist.npz`` from the working directory and from the
    project's root.

    Returns
    -------
    path : pathlib.Path or None
        The first existing file, or None when there is none.

    Examples
    --------
    >>> from skae.datasets import find_mnist
    >>> path = find_mnist()
    >>> path is None or path.name.endswith(".npz")
    True
    """
    candidates = []
    if os.environ.get(MNIST_ENV):
        candidates.append(Path(os.environ[MNIST_ENV]))
    candidates.append(Path.cwd().parent / "shared" / "data" / "mnist.npz")
    candidates.append(
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist.npz"
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_digits_images():
    """scikit-learn's bundled 8x8 digits, scaled to [0, 1].

    Returns
    -------
    images : ndarray of shape (1797, 8, 8), float32
        Pixel intensities in [0, 1].
    target : ndarray of shape (1797,)
        Digit labels.

    Examples
    --------
    >>> from skae.datasets import load_digits_images
    >>> images, target = load_digits_images()
    >>> images.shape, float(images.max())
    ((1797, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target
