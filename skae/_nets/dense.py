"""Fully-connected encoder and decoder (the tutorial's simple, sparse and deep models)."""

import keras
import numpy as np

from .layers import no_seeds


def _dense(units, activation, seed, name, activity_l1=0.0, zero=False):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=(keras.initializers.Zeros() if zero else
                            keras.initializers.GlorotUniform(seed=seed)),
        activity_regularizer=(
            keras.regularizers.L1(activity_l1) if activity_l1 else None
        ),
        name=name,
    )


def dense_stack(x, layer_sizes, activation, seeds, prefix, layer_norm=False):
    """Apply one ``Dense`` layer per entry of ``layer_sizes`` to ``x``.

    Parameters
    ----------
    x : keras tensor
        The input of the first layer.
    layer_sizes : iterable of int
        Widths of the layers, in order.
    activation : str
        Activation of every layer.
    seeds : iterator
        Yields one initializer seed per layer.
    prefix : str
        The layers are named ``f"{prefix}_{i}"``.
    layer_norm : bool, default=False
        Normalise each layer's pre-activations over its units
        (``LayerNormalization`` between the ``Dense`` layer and its
        activation).

    Returns
    -------
    x : keras tensor
        The output of the last layer (``x`` itself for no layers).
    """
    for i, units in enumerate(layer_sizes):
        if not layer_norm:
            x = _dense(units, activation, next(seeds), f"{prefix}_{i}")(x)
            continue
        x = _dense(units, "linear", next(seeds), f"{prefix}_{i}")(x)
        x = keras.layers.LayerNormalization(name=f"{prefix}_{i}_norm")(x)
        x = keras.layers.Activation(activation, name=f"{prefix}_{i}_act")(x)
    return x


def _with_linear_path(inputs, x, units, activation, seed, name, start,
                      activity_l1=0.0):
    """``activation(Dense(x) + Linear(inputs))``: the stack's last layer,
    started with a zero kernel, beside a ``Dense`` layer of ``inputs``
    started at ``start = (kernel, bias)``, so that the sum starts as that
    linear map (e.g. PCA's) and training adds what a linear map misses.
    Without ``start``, the last layer alone, as the tutorial builds it."""
    if start is None:
        return _dense(units, activation, seed, name, activity_l1=activity_l1)(x)
    stack = _dense(units, "linear", seed, name, zero=True)(x)
    linear = keras.layers.Dense(units, name=f"{name}_linear")
    path = linear(inputs)
    linear.set_weights([np.asarray(w, np.float32) for w in start])
    x = keras.layers.Add(name=f"{name}_sum")([stack, path])
    if activation != "linear":
        x = keras.layers.Activation(activation, name=f"{name}_activation")(x)
    if activity_l1:
        x = keras.layers.ActivityRegularization(l1=activity_l1,
                                                name=f"{name}_l1")(x)
    return x


def build_dense_encoder(
    n_features, n_components, hidden_layer_sizes=(), activation="relu",
    code_activation="relu", activity_l1=0.0, seeds=None, layer_norm=False,
    linear_start=None,
):
    """Input (n_features,) -> hidden layers -> code (n_components,).

    ``activity_l1`` puts an L1 activity penalty on the code: the tutorial's
    sparse autoencoder (``1e-4``). ``layer_norm`` normalises the hidden
    layers (see :func:`dense_stack`). ``linear_start``, a ``(kernel, bias)``
    of shapes ``(n_features, n_components)`` and ``(n_components,)``, adds a
    linear path from the input to the code started there (see
    :func:`_with_linear_path`).
    """
    seeds = no_seeds() if seeds is None else seeds
    inputs = keras.Input(shape=(n_features,), name="encoder_input")
    x = dense_stack(inputs, hidden_layer_sizes, activation, seeds, "encoder_dense",
                    layer_norm)
    code = _with_linear_path(inputs, x, n_components, code_activation, next(seeds),
                             "code", linear_start, activity_l1)
    return keras.Model(inputs, code, name="encoder")


def build_dense_decoder(
    n_components, n_features, hidden_layer_sizes=(), activation="relu",
    output_activation="sigmoid", seeds=None, layer_norm=False,
    linear_start=None,
):
    """Code (n_components,) -> hidden layers mirrored -> output (n_features,).

    ``linear_start``, a ``(kernel, bias)`` of shapes ``(n_components,
    n_features)`` and ``(n_features,)``, adds a linear path from the code to
    the output's pre-activation started there (see :func:`_with_linear_path`).
    """
    seeds = no_seeds() if seeds is None else seeds
    inputs = keras.Input(shape=(n_components,), name="decoder_input")
    x = dense_stack(inputs, reversed(tuple(hidden_layer_sizes)), activation,
                    seeds, "decoder_dense", layer_norm)
    outputs = _with_linear_path(inputs, x, n_features, output_activation,
                                next(seeds), "reconstruction", linear_start)
    return keras.Model(inputs, outputs, name="decoder")
