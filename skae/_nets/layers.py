"""Registered Keras layers used by skae's networks.

Every layer here is serializable (``get_config``) and registered under the
``skae`` package, so a saved ``.keras`` file loads with ``safe_mode=True`` and
without ``custom_objects``.
"""

import itertools

import keras
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
