"""Variational autoencoder: registered layers, the summed loss and the builders.

Everything here is backend-agnostic Keras 3 (``keras.ops`` and ``keras.random``
only, no ``Lambda`` layer), and every layer or loss is registered under the
``skae`` package, so a saved VAE loads with ``safe_mode=True`` on TensorFlow,
JAX or PyTorch without ``custom_objects``.
"""

import keras
from keras import ops

from .conv import pooled_sizes
from .dense import _dense, dense_stack
from .layers import no_seeds
from .losses import cross_entropy

__all__ = [
    "Sampling",
    "KLDivergenceLoss",
    "SummedReconstructionLoss",
    "build_vae_dense_encoder",
    "build_vae_conv_encoder",
    "build_vae_conv_decoder",
]

_RECONSTRUCTIONS = ("binary_crossentropy", "mse", "mae")


@keras.saving.register_keras_serializable(package="skae")
class Sampling(keras.layers.Layer):
    """Reparameterised draw ``z = mean + exp(log_var / 2) * eps``, eps ~ N(0, I).

    Called on ``[z_mean, z_log_var]``. In training every call draws fresh
    unit-variance noise from the layer's own ``SeedGenerator``; at inference
    (``training=False``) the layer returns ``z_mean``, so that reconstructions
    are deterministic.

    Parameters
    ----------
    seed : int or None
        Seed of the layer's ``SeedGenerator``.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, inputs, training=False):
        z_mean, z_log_var = inputs
        if not training:
            return z_mean
        eps = keras.random.normal(
            ops.shape(z_mean), dtype=self.compute_dtype, seed=self.seed_generator
        )
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        config = super().get_config()
        config.update(seed=self.seed)
        return config


@keras.saving.register_keras_serializable(package="skae")
class KLDivergenceLoss(keras.layers.Layer):
    """Adds ``beta * KL(N(mean, exp(log_var)) || N(0, I))`` to the model's loss.

    Called on ``[z_mean, z_log_var]`` and returns them unchanged. The KL term
    ``0.5 * sum(exp(log_var) + mean**2 - 1 - log_var)`` is summed over the
    latent dimensions, averaged over the batch and weighted by ``beta``; it is
    added with ``add_loss`` in training and in evaluation alike, so ``loss``
    and ``val_loss`` both include it.

    Parameters
    ----------
    beta : float
        Weight of the KL term (1 for the plain VAE; ``beta > 1`` is a beta-VAE).
    """

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        if beta < 0:
            raise ValueError(f"beta must be >= 0, got {beta}.")
        self.beta = float(beta)
        self.built = True

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = 0.5 * ops.sum(
            ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1
        )
        self.add_loss(self.beta * ops.mean(kl))
        return z_mean, z_log_var

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0]), tuple(input_shape[1])

    def get_config(self):
        config = super().get_config()
        config.update(beta=self.beta)
        return config


@keras.saving.register_keras_serializable(package="skae")
class SummedReconstructionLoss(keras.losses.Loss):
    """Per-sample reconstruction loss summed (not averaged) over the features.

    ``kind="binary_crossentropy"``: minus the Bernoulli log-likelihood;
    ``"mse"``: the summed squared error, minus a Gaussian log-likelihood with
    variance 1/2 up to the constant ``D/2 * log(pi)``; ``"mae"``: the summed
    absolute error, minus a Laplace log-likelihood with scale 1 up to
    ``D * log(2)``. The batch reduction is the mean over samples, so the loss
    of a VAE is the negative ELBO in nats (with ``beta=1``). The VAE gives it
    values in units of the data's spread (:class:`~skae._nets.losses.InUnits`),
    so the variance is half that spread squared, the scale that spread.
    """

    def __init__(self, kind="binary_crossentropy", name="summed_reconstruction",
                 reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if kind not in _RECONSTRUCTIONS:
            raise ValueError(f"kind must be one of {_RECONSTRUCTIONS}, got {kind!r}.")
        self.kind = kind

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        if self.kind == "binary_crossentropy":
            err = cross_entropy(y_true, y_pred)
        elif self.kind == "mae":
            err = ops.abs(y_true - y_pred)
        else:
            err = ops.square(y_true - y_pred)
        err = ops.reshape(err, (ops.shape(err)[0], -1))
        return ops.sum(err, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(kind=self.kind)
        return config


def _latent_heads(x, n_components, seeds):
    z_mean = _dense(n_components, None, next(seeds), "z_mean")(x)
    z_log_var = _dense(n_components, None, next(seeds), "z_log_var")(x)
    return z_mean, z_log_var


def build_vae_dense_encoder(n_features, n_components, hidden_layer_sizes=(64,),
                            activation="relu", seeds=None):
    """Input (n_features,) -> hidden layers -> [z_mean, z_log_var].

    The decoder of a dense VAE is :func:`skae._nets.dense.build_dense_decoder`.
    """
    seeds = no_seeds() if seeds is None else seeds
    inputs = keras.Input(shape=(n_features,), name="encoder_input")
    x = dense_stack(inputs, hidden_layer_sizes, activation, seeds, "encoder_dense")
    return keras.Model(inputs, list(_latent_heads(x, n_components, seeds)),
                       name="encoder")


def build_vae_conv_encoder(image_shape, n_components, filters=(32, 64),
                           hidden_layer_sizes=(64,), activation="relu",
                           seeds=None):
    """Image (h, w, c) -> stride-2 Conv2D per filter -> dense -> [mean, log_var]."""
    seeds = no_seeds() if seeds is None else seeds
    inputs = keras.Input(shape=tuple(image_shape), name="encoder_input")
    x = inputs
    for i, f in enumerate(filters):
        x = keras.layers.Conv2D(
            f, 3, strides=2, padding="same", activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"encoder_conv_{i}",
        )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = dense_stack(x, hidden_layer_sizes, activation, seeds, "encoder_dense")
    return keras.Model(inputs, list(_latent_heads(x, n_components, seeds)),
                       name="encoder")


def build_vae_conv_decoder(n_components, image_shape, filters=(32, 64),
                           hidden_layer_sizes=(64,), activation="relu",
                           output_activation="sigmoid", seeds=None):
    """Latent point -> dense -> reshape -> Conv2DTranspose per filter -> image.

    The transposed convolutions double the spatial size; the result is cropped
    to the exact ``image_shape`` before a final 3x3 convolution gives the
    output channels.
    """
    seeds = no_seeds() if seeds is None else seeds
    height, width, channels = image_shape
    h, w = (pooled_sizes(side, len(filters))[-1] for side in (height, width))
    inputs = keras.Input(shape=(n_components,), name="decoder_input")
    x = dense_stack(inputs, reversed(tuple(hidden_layer_sizes)), activation,
                    seeds, "decoder_dense")
    top = filters[-1] if filters else channels
    x = _dense(h * w * top, activation, next(seeds), "decoder_project")(x)
    x = keras.layers.Reshape((h, w, top), name="decoder_reshape")(x)
    for i, f in enumerate(reversed(tuple(filters))):
        x = keras.layers.Conv2DTranspose(
            f, 3, strides=2, padding="same", activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
            name=f"decoder_deconv_{i}",
        )(x)
    dh, dw = h * 2 ** len(filters) - height, w * 2 ** len(filters) - width
    if dh or dw:
        x = keras.layers.Cropping2D(
            ((dh // 2, dh - dh // 2), (dw // 2, dw - dw // 2)), name="decoder_crop"
        )(x)
    outputs = keras.layers.Conv2D(
        channels, 3, padding="same", activation=output_activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="reconstruction",
    )(x)
    return keras.Model(inputs, outputs, name="decoder")
