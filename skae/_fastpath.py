"""Inference without Keras' per-call overhead for networks of Dense layers.

``Model.predict`` costs tens of milliseconds per call on TensorFlow, which makes
a pipeline that transforms one row at a time unusable. When a network is a plain
stack of ``Dense`` layers (and layers that are the identity at inference,
and a linear path added beside the stack), its weights are copied once into
NumPy and applied with a matrix product per layer,
the same arithmetic as ``PCA.transform``. Anything else returns ``None`` and the
caller uses Keras.
"""

import numpy as np
from scipy.special import erf, expit

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
    "gelu": lambda x: (0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))).astype(x.dtype),
}


def _activation(layer):
    """The layer's activation as a NumPy function (None: the identity), or
    False for one the fast path does not know."""
    return _ACTIVATIONS.get(getattr(layer.activation, "__name__", None), False)


def _dense_step(layer, width):
    """``x -> activation(x @ kernel + bias)``, or None for an unknown activation."""
    activation = _activation(layer)
    if activation is False:
        return None
    kernel = np.array(layer.kernel.numpy(), dtype=np.float32)
    if kernel.shape[0] != width:
        return None
    bias = np.array(layer.bias.numpy(), dtype=np.float32) if layer.use_bias else 0.0

    def step(x):
        x = x @ kernel
        x += bias
        return x if activation is None else activation(x)

    return step, kernel.shape[1]


def _layer_norm_step(layer, width):
    """Keras' ``LayerNormalization`` over the last axis, or None otherwise."""
    if tuple(layer.axis) not in ((-1,), (1,)) or getattr(layer, "rms_scaling", False):
        return None
    gamma = np.array(layer.gamma.numpy(), dtype=np.float32) if layer.scale else 1.0
    beta = np.array(layer.beta.numpy(), dtype=np.float32) if layer.center else 0.0
    eps = np.float32(layer.epsilon)

    def step(x):
        x = x - x.mean(axis=-1, keepdims=True)
        x /= np.sqrt(np.square(x).mean(axis=-1, keepdims=True) + eps)
        x *= gamma
        x += beta
        return x

    return step, width


def _activation_step(layer, width):
    activation = _activation(layer)
    if activation is False:
        return None
    return (lambda x: x) if activation is None else activation, width


def _rescaling_step(layer, width):
    """Keras' ``Rescaling``, ``x * scale + offset``, with a scale and an
    offset of one value or one per feature (skae's centring), or None."""
    scale = np.asarray(layer.scale, dtype=np.float32)
    offset = np.asarray(layer.offset, dtype=np.float32)
    if scale.size not in (1, width) or offset.size not in (1, width):
        return None
    scale, offset = scale.reshape(-1), offset.reshape(-1)
    if np.all(scale == 1):  # skae's centring: one addition per value
        return (lambda x: x + offset), width
    return (lambda x: x * scale + offset), width


_STEPS = {"Dense": _dense_step, "LayerNormalization": _layer_norm_step,
          "Activation": _activation_step, "Rescaling": _rescaling_step}


def _add_step(layer, widths):
    """Keras' ``Add`` of same-width inputs (a linear path beside a stack)."""
    if len(set(widths)) != 1:
        return None

    def step(*xs):
        total = xs[0] + xs[1]
        for x in xs[2:]:
            total += x
        return total

    return step, widths[0]


def _graph_node(layer, values):
    """The call of ``layer`` whose inputs are computed (``values``), as
    ``(input ids, output ids)``; None where there is not exactly one."""
    nodes = [node for node in getattr(layer, "_inbound_nodes", ())
             if node.input_tensors
             and all(id(t) in values for t in node.input_tensors)]
    if len(nodes) != 1 or len(nodes[0].output_tensors) != 1:
        return None
    node = nodes[0]
    return [id(t) for t in node.input_tensors], id(node.output_tensors[0])


def _layer_step(layer, widths):
    """``(function of the layer's inputs, output width)``, or None."""
    kind = type(layer).__name__
    if kind in _IDENTITY_LAYERS:
        return (lambda x: x), widths[0]
    if kind == "Add":
        return _add_step(layer, widths)
    if hasattr(layer, "layers") and not hasattr(layer, "kernel"):  # a nested model
        forward = compile_dense_stack(layer)
        if forward is None:
            return None
        return forward, layer.outputs[0].shape[-1]
    if kind not in _STEPS or len(widths) != 1:
        return None
    return _STEPS[kind](layer, widths[0])


def compile_dense_stack(network):
    """Return a NumPy function equivalent to ``network`` at inference, or None.

    ``network`` is a functional model of ``Dense``, ``LayerNormalization``,
    ``Activation``, ``Rescaling`` and ``Add`` layers (a stack, with or
    without a linear path beside it) and of nested models of those.
    """
    if len(network.inputs) != 1 or len(network.outputs) != 1:
        return None
    source = id(network.inputs[0])
    widths = {source: network.inputs[0].shape[-1]}
    steps = []
    for layer in network.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        node = _graph_node(layer, widths)
        made = None if node is None else _layer_step(
            layer, [widths[i] for i in node[0]])
        if made is None:
            return None
        step, widths[node[1]] = made
        steps.append((step, node[0], node[1]))
    target = id(network.outputs[0])
    if not steps or target not in widths:
        return None

    def forward(x):
        values = {source: x}
        for step, inputs, output in steps:
            values[output] = step(*[values[i] for i in inputs])
        return values[target]

    return forward
