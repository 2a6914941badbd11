"""Inference without Keras' per-call overhead for networks of Dense layers.

``Model.predict`` costs tens of milliseconds per call on TensorFlow, which makes
a pipeline that transforms one row at a time unusable. When a network is a plain
stack of ``Dense`` layers (and layers that are the identity at inference), its
weights are copied once into NumPy and applied with a matrix product per layer,
the same arithmetic as ``PCA.transform``. Anything else returns ``None`` and the
caller uses Keras.
"""

import numpy as np
from scipy.special import expit

# Layers that do nothing at inference time.
_IDENTITY_LAYERS = {"InputLayer", "ClippedGaussianNoise", "GaussianNoise",
                    "Dropout", "ActivityRegularization"}


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


_ACTIVATIONS = {
    "linear": None,
    "relu": lambda x: np.maximum(x, 0, out=x),
    "sigmoid": lambda x: expit(x, out=x),
    "tanh": np.tanh,
    "softplus": lambda x: np.logaddexp(0, x).astype(x.dtype),
    "elu": _elu,
    "selu": lambda x: (1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))).astype(x.dtype),
}


def _layers(network):
    for layer in network.layers:
        if hasattr(layer, "layers") and not hasattr(layer, "kernel"):
            yield from _layers(layer)  # a nested model
        else:
            yield layer


def compile_dense_stack(network):
    """Return a NumPy function equivalent to ``network`` at inference, or None."""
    if len(network.inputs) != 1 or len(network.outputs) != 1:
        return None
    steps = []
    width = network.inputs[0].shape[-1]
    for layer in _layers(network):
        kind = type(layer).__name__
        if kind in _IDENTITY_LAYERS:
            continue
        if kind != "Dense":
            return None
        name = getattr(layer.activation, "__name__", None)
        if name not in _ACTIVATIONS:
            return None
        kernel = np.array(layer.kernel.numpy(), dtype=np.float32)
        if kernel.shape[0] != width:  # not a plain chain of layers
            return None
        width = kernel.shape[1]
        bias = np.array(layer.bias.numpy(), dtype=np.float32) if layer.use_bias else None
        steps.append((kernel, bias, _ACTIVATIONS[name]))
    if not steps:
        return None

    def forward(x):
        for kernel, bias, activation in steps:
            x = x @ kernel
            if bias is not None:
                x += bias
            if activation is not None:
                x = activation(x)
        return x

    return forward
