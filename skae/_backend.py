"""Lazy access to Keras and its backend.

Nothing in this module imports Keras at import time: ``import skae`` stays cheap
and Keras (with TensorFlow, JAX or PyTorch behind it) is loaded on the first fit,
transform or unpickle.
"""

import logging

logger = logging.getLogger("skae")


def get_keras():
    """Import Keras and skae's registered layers; return the ``keras`` module."""
    import keras

    # Importing the layers registers them with Keras' serialization, so that
    # saved models load in safe mode without ``custom_objects``.
    from ._nets import layers  # noqa: F401

    return keras


def backend_name():
    """Name of the active Keras backend (imports Keras)."""
    return get_keras().backend.backend()


def seed_stream(random_state):
    """Yield fresh integer seeds drawn from a ``RandomState``-like object.

    Each Keras initializer or random layer needs its own seed: reusing one seed
    would give identical weights in every layer. ``None`` yields ``None`` forever,
    leaving Keras to draw from its own unseeded generator.
    """
    if random_state is None:
        while True:
            yield None
    while True:
        yield int(random_state.randint(0, 2**31 - 1))
