"""Binary cross-entropy written in ``keras.ops``, for every backend.

On PyTorch, Keras' binary cross-entropy calls
``torch.nn.functional.binary_cross_entropy``, which raises on a prediction or
a target outside [0, 1]. Two cases reach it in skae: the padded steps of
sequences (their targets hold ``mask_value``; they weigh 0 in the loss) and a
diverged network (NaN predictions, which must read as a NaN loss so that the
fit stops with skae's own error and rolls back). TensorFlow and JAX compute
the same formula without those checks, and TensorFlow reads a sigmoid's
logits, so they keep Keras' own loss.
"""

import keras
from keras import ops

__all__ = ["InUnits", "binary_crossentropy", "cross_entropy", "reconstruction_loss"]


def cross_entropy(y_true, y_pred):
    """Elementwise binary cross-entropy of predictions ``y_pred`` (clipped to
    ``[eps, 1 - eps]``) against targets ``y_true`` of the same dtype; any
    target is taken, and NaN predictions give NaN."""
    eps = keras.config.epsilon()
    p = ops.clip(y_pred, eps, 1.0 - eps)
    return -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))


@keras.saving.register_keras_serializable(package="skae")
def binary_crossentropy(y_true, y_pred):
    """Binary cross-entropy averaged over the last axis, as Keras'
    ``"binary_crossentropy"``: Keras' own on TensorFlow and JAX, and
    :func:`cross_entropy` on PyTorch (see the module's docstring)."""
    if keras.backend.backend() != "torch":
        return keras.losses.binary_crossentropy(y_true, y_pred)
    return ops.mean(cross_entropy(ops.cast(y_true, y_pred.dtype), y_pred), axis=-1)


def reconstruction_loss(name):
    """What ``Model.compile`` gets for the loss ``name``: the name itself,
    except binary cross-entropy on PyTorch (:func:`binary_crossentropy`)."""
    if name == "binary_crossentropy" and keras.backend.backend() == "torch":
        return binary_crossentropy
    return name


@keras.saving.register_keras_serializable(package="skae")
class InUnits(keras.losses.Loss):
    """A reconstruction loss on errors in units of ``scale``: ``loss`` of the
    targets and predictions divided by ``scale`` (the data's spread), so that
    the same data in other units give the same loss, and a Huber delta or a
    term's weight means what it means on standardised data.

    Parameters
    ----------
    loss : str, dict or keras.losses.Loss
        The loss (a name, a serialised loss, or a loss object), per sample.
    scale : float
        The unit, positive.
    """

    def __init__(self, loss, scale=1.0, name="in_units",
                 reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale!r}.")
        self.loss = keras.losses.get(loss)
        self.scale = float(scale)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        per_sample = (self.loss.call if isinstance(self.loss, keras.losses.Loss)
                      else self.loss)
        return per_sample(y_true / self.scale, y_pred / self.scale)

    def get_config(self):
        config = super().get_config()
        config.update(loss=keras.losses.serialize(self.loss), scale=self.scale)
        return config
