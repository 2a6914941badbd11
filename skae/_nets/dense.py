"""Fully-connected encoder and decoder (the tutorial's simple, sparse and deep models)."""

import keras


def _dense(units, activation, seed, name, activity_l1=0.0):
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        activity_regularizer=(
            keras.regularizers.L1(activity_l1) if activity_l1 else None
        ),
        name=name,
    )


def build_dense_encoder(
    n_features, n_components, hidden_layer_sizes=(), activation="relu",
    code_activation="relu", activity_l1=0.0, seeds=None,
):
    """Input (n_features,) -> hidden layers -> code (n_components,).

    ``activity_l1`` puts an L1 activity penalty on the code: the tutorial's
    sparse autoencoder (``1e-4``).
    """
    seeds = seeds if seeds is not None else iter(lambda: None, 0)
    inputs = keras.Input(shape=(n_features,), name="encoder_input")
    x = inputs
    for i, units in enumerate(hidden_layer_sizes):
        x = _dense(units, activation, next(seeds), f"encoder_dense_{i}")(x)
    code = _dense(n_components, code_activation, next(seeds), "code",
                  activity_l1=activity_l1)(x)
    return keras.Model(inputs, code, name="encoder")


def build_dense_decoder(
    n_components, n_features, hidden_layer_sizes=(), activation="relu",
    output_activation="sigmoid", seeds=None,
):
    """Code (n_components,) -> hidden layers mirrored -> output (n_features,)."""
    seeds = seeds if seeds is not None else iter(lambda: None, 0)
    inputs = keras.Input(shape=(n_components,), name="decoder_input")
    x = inputs
    for i, units in enumerate(reversed(tuple(hidden_layer_sizes))):
        x = _dense(units, activation, next(seeds), f"decoder_dense_{i}")(x)
    outputs = _dense(n_features, output_activation, next(seeds), "reconstruction")(x)
    return keras.Model(inputs, outputs, name="decoder")
