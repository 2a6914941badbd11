import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from skae.datasets import find_mnist, load_digits_images, load_mnist


@pytest.fixture(scope="session")
def digits():
    """Bundled 8x8 digits in [0, 1]: (X flat float32 (1797, 64), y)."""
    images, target = load_digits_images()
    return images.reshape(len(images), -1), target


@pytest.fixture(scope="session")
def mnist_small():
    """A small slice of real MNIST: (x_train, y_train, x_test, y_test), flat.

    The file is found through skae.datasets.find_mnist (SKAE_MNIST, then
    ../shared/data); tests that need it fail loudly if it is missing.
    """
    path = find_mnist()
    if path is None:
        pytest.fail("mnist.npz not found: set SKAE_MNIST or provide ../shared/data")
    (xtr, ytr), (xte, yte) = load_mnist(path)
    return (xtr[:3000].reshape(3000, -1), ytr[:3000],
            xte[:1000].reshape(1000, -1), yte[:1000])
