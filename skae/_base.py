"""Base class shared by every skae autoencoder."""

import copy
import logging
import os
import tempfile
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._backend import get_keras, seed_stream

logger = logging.getLogger("skae")

_EPS = 1e-7
_LOSSES = {"binary_crossentropy", "mse", "mae"}
_OPTIMIZERS = {"adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad", "adadelta"}
# Rows per call of the compiled inference function: small inputs go through in
# one call, large ones in chunks so that memory stays bounded.
_INFERENCE_CHUNK = 8192
_NUMPY_CHUNK = 65536
_STEPS_PER_EXECUTION = 16
# Fewer gradient steps than this and XLA's compile time outweighs its gain.
_XLA_MIN_STEPS = 500


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class for skae's autoencoders.

    Warning: This class should not be used directly. Use derived classes instead.

    A subclass supplies the networks through :meth:`_build_networks` (and, for a
    non-vector input, the per-sample shape through :meth:`_sample_shape`); this
    class does the rest: input validation, the choice of loss, training with a
    seeded shuffle, fast inference, scoring, and pickling of the Keras model.

    Examples
    --------
    >>> from skae import BaseAutoencoder, DenseAutoencoder
    >>> isinstance(DenseAutoencoder(), BaseAutoencoder)
    True
    """

    _parameter_constraints: dict = {
        "noise_factor": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions({"auto"} | _LOSSES)],
        "optimizer": [StrOptions(_OPTIMIZERS), object],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------
    # Hooks for subclasses
    # ------------------------------------------------------------------
    def _sample_shape(self, n_features):
        """Shape of one sample as the network sees it (default: a flat vector)."""
        return (n_features,)

    @abstractmethod
    def _build_networks(self, sample_shape, output_activation, seeds):
        """Return ``(encoder, decoder)`` Keras models named "encoder"/"decoder"."""

    def _assemble(self, keras, encoder, decoder, sample_shape, seeds):
        """Wire input -> [noise] -> encoder -> decoder into the trained model."""
        inputs = keras.Input(shape=sample_shape, name="input")
        x = self._noise_layer(sample_shape, seeds)(inputs)
        outputs = decoder(encoder(x))
        return keras.Model(inputs, outputs, name=type(self).__name__.lower())

    def _noise_layer(self, sample_shape, seeds):
        from ._nets.layers import ClippedGaussianNoise

        return ClippedGaussianNoise(
            float(self.noise_factor),
            clip_min=self._data_range_[0],
            clip_max=self._data_range_[1],
            seed=next(seeds),
            name="noise",
        )

    def _compile_loss(self):
        """The loss passed to ``Model.compile``."""
        return {"binary_crossentropy": "binary_crossentropy", "mse": "mse",
                "mae": "mae"}[self.loss_]

    # ------------------------------------------------------------------
    # Input handling
    # ------------------------------------------------------------------
    def _validate_input(self, X, reset):
        """Validate ``X``; return a float32 2-D array (n_samples, n_features).

        Arrays with one dimension per axis of the sample shape (images as
        ``(n, h, w, c)``, sequences as ``(n, t, f)``) are accepted too and
        flattened; the layout seen in ``fit`` is the one ``inverse_transform``
        returns.
        """
        ndim = getattr(X, "ndim", None)
        nd_layout = ndim is not None and ndim > 2
        if nd_layout:
            X = check_array(X, allow_nd=True, dtype=[np.float32, np.float64],
                            input_name="X", ensure_min_samples=1)
            expected = None
            if not reset and hasattr(self, "sample_shape_"):
                expected = self.sample_shape_
            elif reset:
                expected = self._sample_shape(int(np.prod(X.shape[1:])))
            if tuple(X.shape[1:]) != tuple(expected):
                raise ValueError(
                    f"X has per-sample shape {tuple(X.shape[1:])}, but "
                    f"{type(self).__name__} expects {tuple(expected)}. Pass "
                    "arrays of that shape or flat (n_samples, n_features) arrays."
                )
            X = X.reshape(len(X), -1)
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float32, np.float64],
            ensure_min_samples=2 if reset else 1,
        )
        if reset:
            self._nd_input_ = nd_layout
        return np.asarray(X, dtype=np.float32)

    def _resolve_loss(self, X):
        lo, hi = float(X.min()), float(X.max())
        in_unit = lo >= 0.0 and hi <= 1.0
        if self.loss == "auto":
            return "binary_crossentropy" if in_unit else "mse"
        if self.loss == "binary_crossentropy" and not in_unit:
            raise ValueError(
                "loss='binary_crossentropy' needs data in [0, 1], but X spans "
                f"[{lo:.4g}, {hi:.4g}]. Scale it first (e.g. with "
                "sklearn.preprocessing.MinMaxScaler) or use loss='mse'."
            )
        return self.loss

    def _make_optimizer(self, keras):
        if isinstance(self.optimizer, str):
            return keras.optimizers.get(
                {"class_name": self.optimizer,
                 "config": {"learning_rate": float(self.learning_rate)}}
            )
        if isinstance(self.optimizer, keras.optimizers.Optimizer):
            # A fresh copy: the user's instance is a parameter, never mutated.
            return type(self.optimizer).from_config(self.optimizer.get_config())
        raise TypeError(
            "optimizer must be a name such as 'adam' or a keras.optimizers."
            f"Optimizer instance, got {type(self.optimizer).__name__}."
        )

    # ------------------------------------------------------------------
    # Fitting
    # ------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Subclasses for images or sequences also accept
            arrays of shape ``(n_samples, *sample_shape)``.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "model_")
        previous = self.__dict__.copy()
        try:
            X = self._validate_input(X, reset=not warm)
            self._fit_network(X, warm=warm)
        except BaseException:
            # Never half-updated: back to the state before this call.
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise
        return self

    def _fit_network(self, X, warm):
        keras = get_keras()
        rng = check_random_state(self.random_state)
        seeds = seed_stream(rng if self.random_state is not None else None)

        if warm:
            model = self.model_
            loss = self.loss_
            sample_shape = self.sample_shape_
            data_range = self._data_range_
            if self._resolve_loss(X) != loss and self.loss == "auto":
                logger.info("warm start keeps the loss %r of the first fit", loss)
            snapshot = (
                model.get_weights(),
                [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables],
            )
        else:
            loss = self._resolve_loss(X)
            sample_shape = tuple(self._sample_shape(X.shape[1]))
            data_range = (float(X.min()), float(X.max()))
            snapshot = None

        Xs = X.reshape((len(X),) + sample_shape)
        n_val = int(round(self.validation_fraction * len(Xs)))
        order = rng.permutation(len(Xs)) if n_val else None
        if n_val and (n_val < 1 or n_val >= len(Xs)):
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no "
                f"training or validation samples out of {len(Xs)}."
            )
        if n_val:
            X_val, X_train = Xs[order[:n_val]], Xs[order[n_val:]]
        else:
            X_val, X_train = None, Xs

        try:
            if not warm:
                # Attributes the builders read; committed for good below.
                self.loss_ = loss
                self._data_range_ = data_range
                output_activation = (
                    "sigmoid" if loss == "binary_crossentropy" else "linear"
                )
                encoder, decoder = self._build_networks(
                    sample_shape, output_activation, seeds
                )
                model = self._assemble(keras, encoder, decoder, sample_shape, seeds)
                model.compile(
                    optimizer=self._make_optimizer(keras),
                    loss=self._compile_loss(),
                    jit_compile=self._jit_compile(keras, len(X_train), model),
                    steps_per_execution=self._steps_per_execution(keras, len(X_train)),
                )
            history = self._train(keras, model, X_train, X_val, seeds)
        except BaseException:
            if warm:  # the network is shared with the previous state: restore it
                model.set_weights(snapshot[0])
                for var, value in zip(model.optimizer.variables, snapshot[1]):
                    var.assign(value)
            raise

        self._inference_cache = {}
        self.model_ = model
        self.encoder_ = model.get_layer("encoder")
        self.decoder_ = model.get_layer("decoder")
        self.sample_shape_ = sample_shape
        self.loss_ = loss
        self._data_range_ = data_range
        self._n_features_out = int(np.prod(self.encoder_.outputs[0].shape[1:]))
        past = self.history_ if warm else {}
        self.history_ = {
            key: list(past.get(key, [])) + [float(v) for v in values]
            for key, values in history.items()
        }
        self.n_iter_ = len(next(iter(self.history_.values()), []))
        return self

    def _jit_compile(self, keras, n_train, model):
        """XLA on TensorFlow for dense networks and fits long enough to repay
        its compilation (Keras's "auto" turns it off on CPU, where it still
        halves the time per epoch of a dense network; convolutions run about
        twice as slow under XLA there, so they keep TensorFlow's own kernels).
        Keras's own choice on other backends (on JAX, False would run eagerly).
        """
        if keras.backend.backend() != "tensorflow":
            return "auto"
        if any("Conv" in type(layer).__name__ for layer in model._flatten_layers()):
            return False
        n_steps = self.epochs * -(-n_train // self.batch_size)
        return n_steps >= _XLA_MIN_STEPS

    def _steps_per_execution(self, keras, n_train):
        """Run several training steps per call into the backend: fewer
        Python round trips per epoch, the same steps and the same result.
        (PyTorch's trainer supports one step per call only.)"""
        if keras.backend.backend() == "torch":
            return 1
        n_batches = -(-n_train // self.batch_size)
        return int(max(1, min(_STEPS_PER_EXECUTION, n_batches)))

    def _training_data(self, X_train, seed):
        """What ``Model.fit`` iterates over: ``(x, x)`` batches, seeded shuffle."""
        from ._nets.data import make_training_data

        return make_training_data(
            X_train, self.batch_size, shuffle=self.shuffle, seed=seed
        )

    def _validation_data(self, X_val):
        """The ``validation_data`` passed to ``Model.fit``."""
        return (X_val, X_val)

    def _train(self, keras, model, X_train, X_val, seeds):
        callbacks = [keras.callbacks.TerminateOnNaN()]
        if self.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss" if X_val is not None else "loss",
                    patience=self.n_iter_no_change,
                    min_delta=self.tol,
                    restore_best_weights=True,
                )
            )
        callbacks.extend(self.callbacks or [])
        data = self._training_data(X_train, next(seeds))
        validation = None if X_val is None else self._validation_data(X_val)
        hist = model.fit(
            data,
            epochs=self.epochs,
            validation_data=validation,
            validation_batch_size=max(self.batch_size, 1024),
            callbacks=callbacks,
            shuffle=False,  # the data pipeline shuffles, seeded
            verbose=self.verbose,
        )
        losses = hist.history.get("loss", [])
        if not losses or not np.all(np.isfinite(losses)):
            raise ValueError(
                "Training diverged: the loss became NaN or infinite. Scale the "
                "data (e.g. StandardScaler or MinMaxScaler) or lower "
                "learning_rate."
            )
        return hist.history

    # ------------------------------------------------------------------
    # Inference
    # ------------------------------------------------------------------
    def _run(self, network, X):
        """Apply a Keras network to ``X`` without ``predict``'s per-call cost.

        Stacks of Dense layers run as NumPy matrix products (see
        ``_fastpath``); other networks go through the compiled
        ``predict_on_batch`` in chunks of bounded size.
        """
        cache = self.__dict__.setdefault("_inference_cache", {})
        if network.name not in cache:
            from ._fastpath import compile_dense_stack

            cache[network.name] = compile_dense_stack(network)
        forward = cache[network.name]
        if forward is not None:
            return np.concatenate(
                [forward(X[i : i + _NUMPY_CHUNK]) for i in range(0, len(X), _NUMPY_CHUNK)]
            ) if len(X) > _NUMPY_CHUNK else forward(X)
        if len(X) <= _INFERENCE_CHUNK:
            return self._to_numpy(network.predict_on_batch(X))
        parts = [
            self._to_numpy(network.predict_on_batch(X[i : i + _INFERENCE_CHUNK]))
            for i in range(0, len(X), _INFERENCE_CHUNK)
        ]
        if isinstance(parts[0], list):  # a network with several outputs
            return [np.concatenate(p, axis=0) for p in zip(*parts)]
        return np.concatenate(parts, axis=0)

    @staticmethod
    def _to_numpy(out):
        if isinstance(out, (list, tuple)):
            return [np.asarray(o) for o in out]
        return np.asarray(out)

    def _encode(self, X):
        """Codes of validated 2-D float32 ``X``, flattened to 2-D."""
        Xs = X.reshape((len(X),) + self.sample_shape_)
        return self._run(self.encoder_, Xs).reshape(len(X), -1)

    def _decode(self, codes):
        code_shape = tuple(self.encoder_.outputs[0].shape[1:])
        out = self._run(self.decoder_, codes.reshape((len(codes),) + code_shape))
        return out.reshape(len(codes), -1)

    def _output_layout(self, X2d):
        if getattr(self, "_nd_input_", False):
            return X2d.reshape((len(X2d),) + self.sample_shape_)
        return X2d

    def transform(self, X):
        """Encode ``X``: the code of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode (for images or sequences also their n-d layout).

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The code (latent representation) of each sample, float32.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._encode(X)

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The codes of the training samples.
        """
        return self.fit(X, y).transform(X)

    def inverse_transform(self, X):
        """Decode codes back to input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray
            Decoded samples, in the layout of the data seen in ``fit``
            (2-D, or n-d for images or sequences fitted in that layout).
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float32, np.float64], input_name="X")
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {codes.shape[1]} features, but inverse_transform expects "
                f"codes of {self._n_features_out} values (the output of transform)."
            )
        return self._output_layout(self._decode(np.asarray(codes, np.float32)))

    def reconstruct(self, X):
        """Encode and decode ``X`` in one pass (no training noise is added).

        For a denoiser, ``reconstruct(X_noisy)`` gives the cleaned samples; it
        equals ``inverse_transform(transform(X))``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        X_reconstructed : ndarray
            Reconstructions, in the layout of the data seen in ``fit``.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._output_layout(self._reconstruct(X))

    def _reconstruct(self, X):
        Xs = X.reshape((len(X),) + self.sample_shape_)
        return self._run(self.model_, Xs).reshape(len(X), -1)

    def score_samples(self, X):
        """Negative reconstruction error of each sample (higher is better).

        The error is the fitted loss (``loss_``: binary cross-entropy or mean
        squared/absolute error) averaged over the features of each sample, so
        low scores flag samples unlike the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus the per-sample reconstruction error.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return -self._reconstruction_error(X, self._reconstruct(X))

    def _reconstruction_error(self, X, R):
        X = X.astype(np.float64)
        R = R.astype(np.float64)
        if self.loss_ == "binary_crossentropy":
            R = np.clip(R, _EPS, 1 - _EPS)
            err = -(X * np.log(R) + (1 - X) * np.log(1 - R))
        elif self.loss_ == "mae":
            err = np.abs(X - R)
        else:
            err = (X - R) ** 2
        return err.mean(axis=1)

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: minus the mean reconstruction error.

        Higher is better, so ``GridSearchCV`` picks the model that reconstructs
        held-out data best.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Minus the mean reconstruction error.
        """
        return float(np.mean(self.score_samples(X)))

    # ------------------------------------------------------------------
    # scikit-learn integration
    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ------------------------------------------------------------------
    # Pickling: the Keras model travels as the bytes of a ``.keras`` file.
    # ------------------------------------------------------------------
    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            state = dict(state)
            state["model_"] = _model_to_bytes(state["model_"])
            state.pop("encoder_", None)
            state.pop("decoder_", None)
        state.pop("_inference_cache", None)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            state = dict(state)
            model = _model_from_bytes(state["model_"])
            state["model_"] = model
            state["encoder_"] = model.get_layer("encoder")
            state["decoder_"] = model.get_layer("decoder")
        super().__setstate__(state)

    def __deepcopy__(self, memo):
        # Keras models cannot be deep-copied directly; go through the state.
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return clone


def _model_to_bytes(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def _model_from_bytes(data):
    keras = get_keras()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        with open(path, "wb") as f:
            f.write(data)
        return keras.saving.load_model(path, safe_mode=True)
