"""Shared helpers for the benchmarks: data, timing and machine description."""

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skae.datasets import find_mnist, load_mnist  # noqa: E402


def mnist_flat():
    """(x_train, y_train, x_test, y_test) with images flattened to 784 floats."""
    path = find_mnist()
    if path is None:
        sys.exit("mnist.npz not found: set SKAE_MNIST or provide ../shared/data/mnist.npz")
    (xtr, ytr), (xte, yte) = load_mnist(path)
    return xtr.reshape(len(xtr), -1), ytr, xte.reshape(len(xte), -1), yte


def digits_flat():
    """(x_train, y_train, x_test, y_test) of scikit-learn's bundled 8x8 digits in
    [0, 1], split as the tour splits them (a stratified quarter for test)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    parts = train_test_split(X, digits.target, test_size=0.25,
                             stratify=digits.target, random_state=0)
    return tuple(parts[i] for i in (0, 2, 1, 3))


def machine():
    import keras

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Keras {keras.__version__} "
        f"({keras.backend.backend()} backend)"
    )


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def bce(x, r, eps=1e-7):
    r = np.clip(r.astype(np.float64), eps, 1 - eps)
    x = x.astype(np.float64)
    return float(np.mean(-(x * np.log(r) + (1 - x) * np.log(1 - r))))


def mse(x, r):
    return float(np.mean((x.astype(np.float64) - r.astype(np.float64)) ** 2))
