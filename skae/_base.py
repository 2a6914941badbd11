"""Base class shared by every skae autoencoder."""

import contextlib
import copy
import math
import os
import tempfile
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._backend import get_keras, seed_stream, unshare_averaged_weights
from ._rows import LazyRows, blockwise, column_mean, finite_range, spread

_EPS = 1e-7
# The reconstruction losses every estimator takes (the VAE's are likelihoods);
# the plain autoencoders also take "huber", with this delta in units of the
# data's spread (scale_): one unit of standardised data, squared error within
# it, absolute error beyond.
_LOSSES = {"binary_crossentropy", "mse", "mae"}
_HUBER_DELTA = 1.0
_OPTIMIZERS = {"adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad", "adadelta"}
# Rows per call of the compiled inference function: small inputs go through in
# one call, large ones in chunks so that memory stays bounded.
_INFERENCE_CHUNK = 8192
_NUMPY_CHUNK = 65536
_STEPS_PER_EXECUTION = 64
# On JAX, the batches of one call into the backend stay referenced while its
# steps run asynchronously: wide rows get fewer steps per call, so that about
# this many bytes of batches are held (with 64 steps a call, a fit on rows of
# 50,000 features in batches of 256 held 1.4 GB; user guide, "Speed").
_IN_FLIGHT_BYTES = 64 * 2**20
# Fewer gradient steps than this and XLA's compile time outweighs its gain.
_XLA_MIN_STEPS = 500
# batch_size="auto": about this many gradient steps per epoch on small data,
# within [_AUTO_BATCH_MIN, the estimator's _auto_batch_max] samples a batch.
_AUTO_BATCH_STEPS = 64
_AUTO_BATCH_MIN = 32


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class for skae's autoencoders.

    Not an estimator by itself: use one of the models, or subclass it to
    write a new one (see "Write your own autoencoder" in the
    :ref:`user guide <write_your_own>`).

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
        "loss": [StrOptions({"auto", "huber"} | _LOSSES)],
        "optimizer": [StrOptions(_OPTIMIZERS), object],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
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
    # Fitted state derived from the stored attributes
    # ------------------------------------------------------------------
    @property
    def _n_features_out(self):
        """Number of values in a code (read by ``get_feature_names_out``)."""
        return math.prod(self.code_shape_)

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
        noise = self._noise_layer(sample_shape, seeds)
        x = inputs if noise is None else noise(inputs)
        codes = encoder(x)
        term = self._code_term()
        if term is not None:
            codes = term([inputs, codes])
        return keras.Model(inputs, decoder(codes), name=type(self).__name__.lower())

    def _code_term(self):
        """A layer called on ``[inputs, codes]`` that returns the codes and
        adds a training term on them to the loss (default: None, no term)."""
        return None

    @staticmethod
    def _distance_term(weight, **options):
        """The term that makes code distances follow the inputs' distances
        (:class:`~skae._nets.layers.DistancePreservation`), or None at
        ``weight`` 0; ``options`` go to the layer."""
        if not weight:
            return None
        from ._nets.layers import DistancePreservation

        return DistancePreservation(float(weight), name="distance_preservation", **options)

    def _noise_layer(self, sample_shape, seeds):
        """The training noise, clipped to the training data's range (None: no
        noise layer before the encoder)."""
        from ._nets.layers import ClippedGaussianNoise

        return ClippedGaussianNoise(
            float(self.noise_factor),
            clip_min=self.data_range_[0],
            clip_max=self.data_range_[1],
            seed=next(seeds),
            name="noise",
        )

    def _compile_loss(self, loss):
        """What ``Model.compile`` gets for the resolved ``loss``: the
        :meth:`_reconstruction_loss`, on errors in units of ``scale_`` where
        the fit has one (:class:`~skae._nets.losses.InUnits`)."""
        from ._nets.losses import InUnits

        compiled = self._reconstruction_loss(loss)
        return compiled if self.scale_ is None else InUnits(compiled, self.scale_)

    def _reconstruction_loss(self, loss):
        """The per-sample loss of ``loss`` (its name, Keras' Huber loss with
        the delta that scoring uses, or on PyTorch skae's binary
        cross-entropy: :mod:`skae._nets.losses`)."""
        if loss == "huber":
            return get_keras().losses.Huber(delta=_HUBER_DELTA)
        from ._nets.losses import reconstruction_loss

        return reconstruction_loss(loss)

    # ------------------------------------------------------------------
    # Input handling
    # ------------------------------------------------------------------
    # The largest batch that batch_size="auto" picks (on large data sets).
    _auto_batch_max = 256

    def _fit_batch_size(self, n_train):
        """``batch_size``; for ``"auto"``, about ``_AUTO_BATCH_STEPS`` steps
        per epoch, within ``[_AUTO_BATCH_MIN, _auto_batch_max]`` samples (a
        small data set gets small batches, so that an epoch is not a handful of
        steps; a large one the largest batch)."""
        if self.batch_size != "auto":
            return int(self.batch_size)
        return int(min(self._auto_batch_max,
                       max(_AUTO_BATCH_MIN, n_train // _AUTO_BATCH_STEPS)))

    def _steps_per_epoch(self, n_train):
        """Gradient steps in one epoch over ``n_train`` samples."""
        return -(-n_train // self._fit_batch_size(n_train))

    # epochs="auto": at least this many gradient steps, within this range of
    # epochs (a small data set gets more passes, a large one fewer).
    _auto_steps = 3500
    _auto_epochs_range = (10, 200)

    def _fit_epochs(self, n_train):
        """``epochs``; for ``"auto"``, enough epochs of
        ``_fit_batch_size(n_train)`` samples for ``_auto_steps`` gradient
        steps, within ``_auto_epochs_range``."""
        if self.epochs != "auto":
            return int(self.epochs)
        lo, hi = self._auto_epochs_range
        steps_per_epoch = self._steps_per_epoch(n_train)
        return int(min(hi, max(lo, -(-self._auto_steps // steps_per_epoch))))

    # Sparse matrices and memmaps are read block by block (see ``_rows``);
    # a subclass that needs its whole input at once sets this to False.
    _lazy_input = True

    def _validate_input(self, X, reset):
        """Validate ``X``; return float32 rows of shape (n_samples, n_features).

        Arrays with one dimension per axis of the sample shape (images as
        ``(n, h, w, c)``, sequences as ``(n, t, f)``) are accepted too and
        flattened (see :meth:`_layout_sample_shape`). ``fit`` records their
        per-sample shape in ``_input_layout_`` (None for flat rows): it is the
        layout that ``inverse_transform`` and ``reconstruct`` return, and
        :meth:`_sample_shape` may read it. Sparse matrices and memory-mapped
        arrays come back as a :class:`~skae._rows.LazyRows`, densified a block
        at a time later; anything else as a float32 ndarray.
        """
        ndim = getattr(X, "ndim", None)
        layout = tuple(int(s) for s in X.shape[1:]) if ndim and ndim > 2 else None
        if reset:
            self._input_layout_ = layout
        lazy_memmap = self._lazy_input and isinstance(X, np.memmap)
        if layout is not None:
            if not lazy_memmap:
                X = check_array(X, allow_nd=True, dtype=[np.float32, np.float64],
                                input_name="X", ensure_min_samples=1)
            self._check_layout(layout, reset)
            X = X.reshape(len(X), -1)
        if lazy_memmap and X.ndim == 2:
            return self._validate_memmap(X, reset)
        X = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse="csr" if self._lazy_input else False,
            dtype=[np.float32, np.float64],
            ensure_min_samples=2 if reset else 1,
        )
        if sp.issparse(X):
            return LazyRows(X.astype(np.float32, copy=False))
        return np.asarray(X, dtype=np.float32)

    def _layout_sample_shape(self, layout):
        """The sample shape that n-d input of per-sample shape ``layout``
        stands for (default: ``layout`` itself)."""
        return layout

    def _check_layout(self, layout, reset):
        """Raise ``ValueError`` unless n-d input of per-sample shape ``layout``
        fits the sample shape (in ``fit``, the one inferred from it)."""
        expected = (self._sample_shape(math.prod(layout)) if reset
                    else self.sample_shape_)
        given = self._layout_sample_shape(layout)
        if tuple(given) != tuple(expected):
            raise ValueError(
                f"X has per-sample shape {tuple(given)}, but "
                f"{type(self).__name__} expects {tuple(expected)}. Pass "
                "arrays of that shape or flat (n_samples, n_features) arrays."
            )

    def _validate_memmap(self, X, reset):
        """Check a 2-D memmap without reading it whole; return LazyRows.

        Its values are checked for NaN and infinity block by block as they
        are read (in ``fit``, by a first scan for the data's range).
        """
        if X.dtype.kind not in "biuf":
            raise ValueError(
                f"X is a memory-mapped array of dtype {X.dtype}; skae needs "
                "numbers (float, int or bool)."
            )
        n_min = 2 if reset else 1
        if X.shape[0] < n_min or X.shape[1] < 1:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} "
                f"feature(s) (shape={X.shape}) while a minimum of {n_min} "
                "sample(s) and 1 feature are required."
            )
        validate_data(self, X, reset=reset, skip_check_array=True)
        return LazyRows(X)

    def _loss_weights(self, X):
        """Weights of the values of samples ``X`` (in their sample shape) in
        the training loss and the scores: an array of shape ``(n_samples,
        *sample_shape[:k])``, each weight covering the values of its part of a
        sample (a subclass's per-step weights, for example), or None for every
        value alike (the default)."""
        return None

    def _value_range(self, X, sample_shape):
        """``(min, max)`` of the values the loss sees in rows ``X`` of samples
        of ``sample_shape`` (in blocks for lazy rows)."""
        if isinstance(X, LazyRows):
            return finite_range(X)
        return float(X.min()), float(X.max())

    # loss="auto" on data outside [0, 1] (standardised data, say).
    _unbounded_loss = "mse"

    def _resolve_loss(self, lo, hi):
        """The loss for training data spanning ``[lo, hi]``."""
        if self.loss == "auto":
            return "binary_crossentropy" if _in_unit(lo, hi) else self._unbounded_loss
        if self.loss == "binary_crossentropy":
            _check_unit_range(lo, hi, "loss='binary_crossentropy'")
        return self.loss

    # Extra config of an optimizer given by name: (key, value) pairs, a
    # subclass's defaults.
    _named_optimizer_config = ()

    def _learning_rate(self, keras, n_steps):
        """The learning rate of an optimizer given by name, for a fit of
        ``n_steps`` gradient steps (None: ``partial_fit``, of unknown length);
        a subclass may return a schedule."""
        return float(self.learning_rate)

    def _make_optimizer(self, keras, n_steps=None):
        if isinstance(self.optimizer, str):
            return keras.optimizers.get(
                {"class_name": self.optimizer,
                 "config": {"learning_rate": self._learning_rate(keras, n_steps),
                            **dict(self._named_optimizer_config)}}
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Subclasses for images or sequences also accept
            arrays of shape ``(n_samples, *sample_shape)``. Sparse matrices
            and memory-mapped arrays (``numpy.memmap``) are read one batch at
            a time, never densified or loaded whole; the data is never
            modified.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "model_")
        return self._guarded_fit(X, warm=warm, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on ``X`` for one pass (one epoch), keeping what was learnt.

        The first call builds the networks from ``X`` as ``fit`` would (its
        range chooses the loss, ``loss="auto"``, and outside [0, 1] its mean
        is ``mean_``, which the networks centre with, and its spread
        ``scale_``); later calls continue with
        the same weights and optimizer state, one epoch over each ``X`` in
        shuffled batches of ``batch_size``. ``epochs``, ``validation_fraction``
        and ``early_stopping`` apply to ``fit`` only. Use it to train on data
        that arrives in chunks, or to continue a fitted model.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            A chunk of training data.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._guarded_fit(X, warm=hasattr(self, "model_"), partial=True)

    def _guarded_fit(self, X, warm, partial):
        previous = self.__dict__.copy()
        try:
            X = self._validate_input(X, reset=not warm)
            self._fit_network(X, warm=warm, partial=partial)
        except BaseException:
            # Never half-updated: back to the state before this call, also
            # after a KeyboardInterrupt.
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise
        return self

    def _fit_network(self, X, warm, partial=False):
        """Train on validated rows ``X``: a new network, or ``model_`` if warm.

        The steps: resolve the loss, the data range and the sample shape
        (:meth:`_resolve_fit_state`), split off the validation rows
        (:meth:`_split_validation`), build and compile a new network
        (:meth:`_build_model`) unless warm, train (:meth:`_train`; a warm
        network gets its weights and optimizer state back if that fails),
        then store the results (:meth:`_commit_fit`). :meth:`_guarded_fit`
        restores the estimator's attributes after a failure.
        """
        keras = get_keras()
        rng = check_random_state(self.random_state)
        seeds = seed_stream(rng if self.random_state is not None else None)
        loss, data_range, sample_shape = self._resolve_fit_state(X, warm)
        X_train, X_val = self._split_validation(
            X, sample_shape, rng, 0.0 if partial else self.validation_fraction
        )
        epochs = 1 if partial else self._fit_epochs(len(X_train))
        early_stopping = self.early_stopping and not partial
        if warm:
            model = self.model_
            with _restored_on_failure(keras, model):
                history = self._train(keras, model, X_train, X_val, seeds,
                                      epochs, early_stopping)
        else:
            model = self._build_model(keras, sample_shape, loss, data_range,
                                      len(X_train), epochs, seeds, partial)
            history = self._train(keras, model, X_train, X_val, seeds, epochs,
                                  early_stopping)
        self._commit_fit(model, loss, data_range, sample_shape, history, warm)
        return self

    def _resolve_fit_state(self, X, warm):
        """``(loss, data_range, sample_shape)`` of a fit on ``X``.

        A new fit takes them from the data (the range chooses the loss,
        ``loss="auto"``); a warm one keeps those of the fitted network, and
        checks that ``X`` suits its loss.
        """
        if warm:
            if self.loss_ == "binary_crossentropy":
                _check_unit_range(*self._value_range(X, self.sample_shape_),
                                  "this estimator, fitted with binary cross-entropy,")
            return self.loss_, self.data_range_, self.sample_shape_
        sample_shape = tuple(self._sample_shape(X.shape[1]))
        data_range = self._value_range(X, sample_shape)
        loss = self._resolve_loss(*data_range)
        self.mean_ = (column_mean(X).reshape(sample_shape)
                      if self._centres_inputs(data_range) else None)
        self.scale_ = (spread(X, self.mean_) if self._scales_inputs(loss)
                       else None)
        return loss, data_range, sample_shape

    def _centres_inputs(self, data_range):
        """Whether a new network reads its inputs less their training mean
        (``mean_``) and adds it back to its reconstructions: for data outside
        [0, 1], as PCA centres. Data in [0, 1] (a sigmoid output with binary
        cross-entropy) are read as they are."""
        return not _in_unit(*data_range)

    def _scales_inputs(self, loss):
        """Whether a new network reads its (centred) inputs over the data's
        spread (``scale_``), gives its outputs times it and trains on errors
        in units of it: for losses that measure errors in the data's units
        (squared, absolute, Huber), so that the same data in other units
        train the same model. Binary cross-entropy reads [0, 1] as it is."""
        return loss in ("mse", "mae", "huber")

    def _input_unit(self):
        """The unit a network reads and gives values in: ``scale_``, or 1
        (the data's own units) without it."""
        return self.scale_ or 1.0

    def _split_validation(self, X, sample_shape, rng, fraction):
        """``(X_train, X_val)``: ``X`` in ``sample_shape``, a random ``fraction``
        held out (``X_val`` is None for none). Lazy rows stay lazy."""
        n_val = int(round(fraction * len(X)))
        if n_val and n_val >= len(X):
            raise ValueError(
                f"validation_fraction={self.validation_fraction} leaves no "
                f"training or validation samples out of {len(X)}."
            )
        if isinstance(X, LazyRows):  # read a batch at a time, never whole
            Xs = X.reshape_rows(sample_shape)
        else:
            Xs = X.reshape((len(X),) + sample_shape)
        if not n_val:
            return Xs, None
        order = rng.permutation(len(X))
        if isinstance(Xs, LazyRows):
            return Xs.subset(order[n_val:]), Xs.subset(np.sort(order[:n_val]))
        return Xs[order[n_val:]], Xs[order[:n_val]]

    def _build_model(self, keras, sample_shape, loss, data_range, n_train,
                     epochs, seeds, partial=False):
        """Build, assemble and compile a new network for ``loss``.

        ``data_range_`` is set first: the training noise is clipped to it,
        and a subclass's :meth:`_build_networks` may read it. With ``mean_``
        the networks read centred inputs (:func:`~skae._nets.layers.centred`),
        in units of :meth:`_input_unit`.
        The optimizer learns the fit's length in steps (for a schedule),
        except with ``partial`` (``partial_fit``, whose calls go on without an
        end).
        """
        self.data_range_ = data_range
        output_activation = "sigmoid" if loss == "binary_crossentropy" else "linear"
        encoder, decoder = self._build_networks(sample_shape, output_activation,
                                                seeds)
        scale = self._input_unit()
        if self.mean_ is not None or scale != 1.0:
            from ._nets.layers import centred

            mean = (self.mean_ if self.mean_ is not None
                    else np.zeros(sample_shape, np.float32))
            encoder, decoder = centred(encoder, decoder, mean, scale)
        model = self._assemble(keras, encoder, decoder, sample_shape, seeds)
        n_steps = epochs * self._steps_per_epoch(n_train)
        model.compile(
            optimizer=self._make_optimizer(keras, None if partial else n_steps),
            loss=self._compile_loss(loss),
            jit_compile=self._jit_compile(keras, n_steps, model),
            steps_per_execution=self._steps_per_execution(keras, n_train, sample_shape),
        )
        # Without a distribution strategy, Keras' TensorFlow trainer creates
        # the optimizer's variables inside the first traced training step,
        # and TensorFlow then traces the step a second time to lift them out.
        # Created here (zeros, as Keras would), the step is traced once.
        model.optimizer.build(model.trainable_variables)
        return model

    def _commit_fit(self, model, loss, data_range, sample_shape, history, warm):
        """Store the fitted network and what was learnt about the data."""
        self._inference_cache = {}
        self.model_ = model
        self.encoder_ = model.get_layer("encoder")
        self.decoder_ = _sub_network(model, "decoder")
        self.sample_shape_ = sample_shape
        self.loss_ = loss
        self.data_range_ = data_range
        self.code_shape_ = tuple(int(s) for s in self.encoder_.outputs[0].shape[1:])
        past = self.history_ if warm else {}
        self.history_ = {
            key: list(past.get(key, [])) + [float(v) for v in values]
            for key, values in history.items()
        }
        self.n_iter_ = len(next(iter(self.history_.values()), []))

    def _jit_compile(self, keras, n_steps, model):
        """XLA on TensorFlow for dense networks and fits long enough to repay
        its compilation (Keras's "auto" turns it off on CPU, where it still
        halves the time per epoch of a dense network; convolutions run about
        twice as slow under XLA there, so they keep TensorFlow's own kernels,
        and so do fits with training noise, whose random numbers XLA draws
        four to five times slower).
        Keras's own choice on other backends (on JAX, False would run eagerly).
        """
        if keras.backend.backend() != "tensorflow":
            return "auto"
        if _tf_replicas(keras) > 1:  # XLA cannot use mirrored variables
            return False
        if any("Conv" in type(layer).__name__ for layer in model._flatten_layers()):
            return False
        if self.noise_factor > 0:
            # XLA draws the training noise slowly on this CPU: 20 epochs of
            # DenseAutoencoder(32, noise_factor=0.5) on 10,000 MNIST images
            # took 108 s with it, 23 s without.
            return False
        return n_steps >= _XLA_MIN_STEPS

    def _steps_per_execution(self, keras, n_train, sample_shape):
        """Run several training steps per call into the backend: fewer
        Python round trips per epoch, the same steps and the same result.
        (PyTorch's trainer supports one step per call only; on JAX, wide
        rows get fewer: :data:`_IN_FLIGHT_BYTES`.)"""
        if keras.backend.backend() == "torch" or _tf_replicas(keras) > 1:
            # Keras' multi-step loop fails under a multi-device strategy.
            return 1
        steps = min(_STEPS_PER_EXECUTION, self._steps_per_epoch(n_train))
        if keras.backend.backend() == "jax":
            batch_bytes = 4 * self._fit_batch_size(n_train) * math.prod(sample_shape)
            steps = min(steps, _IN_FLIGHT_BYTES // batch_bytes)
        return int(max(1, steps))

    def _training_data(self, X_train, seed):
        """What ``Model.fit`` iterates over: ``(x, x)`` batches (``(x, x,
        weights)`` with :meth:`_loss_weights`), seeded shuffle."""
        from ._nets.data import make_training_data

        return make_training_data(
            X_train, self._fit_batch_size(len(X_train)), shuffle=self.shuffle,
            seed=seed, weights=self._loss_weights(X_train),
        )

    def _validation_data(self, X_val):
        """The ``validation_data`` passed to ``Model.fit``."""
        from ._nets.data import ShuffledBatches, normalise_weights

        weights = self._loss_weights(X_val)
        if isinstance(X_val, LazyRows):
            return ShuffledBatches(X_val, self._validation_batch_size(),
                                   shuffle=False, weights=weights)
        if weights is None:
            return (X_val, X_val)
        return (X_val, X_val, normalise_weights(weights))

    def _validation_batch_size(self):
        return max(self._fit_batch_size(0), 1024)

    def _train(self, keras, model, X_train, X_val, seeds, epochs, early_stopping):
        callbacks = [keras.callbacks.TerminateOnNaN()]
        if early_stopping:
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
            epochs=epochs,
            validation_data=validation,
            validation_batch_size=(
                self._validation_batch_size()
                if isinstance(validation, tuple) else None
            ),
            callbacks=callbacks,
            shuffle=False,  # the data pipeline shuffles, seeded
            verbose=self.verbose,
        )
        unshare_averaged_weights(keras, model)
        losses = hist.history.get("loss", [])
        if (not losses or not np.all(np.isfinite(losses))
                or not all(np.isfinite(w).all() for w in model.get_weights())):
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
        strategy = getattr(network, "distribute_strategy", None)
        if strategy is not None and strategy.num_replicas_in_sync > 1:
            # Built under a multi-device tf.distribute strategy: Keras'
            # predict_on_batch returns every row once per replica there.
            return self._to_numpy(
                network.predict(X, batch_size=_INFERENCE_CHUNK, verbose=0))
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
        out = self._run(self.decoder_, codes.reshape((len(codes),) + self.code_shape_))
        return out.reshape(len(codes), -1)

    def _output_layout(self, X2d):
        """Rows ``X2d`` in the layout of the data seen in ``fit``."""
        if self._input_layout_ is None:
            return X2d
        return X2d.reshape((len(X2d),) + self._input_layout_)

    def transform(self, X):
        """Encode ``X``: the code of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode (for images or sequences also their n-d layout).

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The code (latent representation) of each sample, float32.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return blockwise(self._encode, X)

    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its codes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        X_reconstructed : ndarray
            Reconstructions, in the layout of the data seen in ``fit``.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._output_layout(blockwise(self._reconstruct, X))

    def _reconstruct(self, X):
        Xs = X.reshape((len(X),) + self.sample_shape_)
        return self._run(self.model_, Xs).reshape(len(X), -1)

    def score_samples(self, X):
        """Negative reconstruction error of each sample (higher is better).

        The error is the fitted loss (``loss_``: binary cross-entropy, mean
        squared or absolute error, or Huber with a delta of one ``scale_``)
        in the data's units, averaged over the features of each sample, so
        low scores flag samples unlike the training data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus the per-sample reconstruction error.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return blockwise(self._score_rows, X)

    def _score_rows(self, X):
        """``score_samples`` of validated dense 2-D float32 rows."""
        return -self._reconstruction_error(X, self._reconstruct(X))

    def _reconstruction_error(self, X, R):
        """The fitted loss between rows ``X`` and their reconstructions ``R``,
        averaged over each sample's values (weighted by :meth:`_loss_weights`)."""
        weights = self._loss_weights(X.reshape((len(X),) + self.sample_shape_))
        X = X.astype(np.float64)
        R = R.astype(np.float64)
        if self.loss_ == "binary_crossentropy":
            R = np.clip(R, _EPS, 1 - _EPS)
            err = -(X * np.log(R) + (1 - X) * np.log(1 - R))
        elif self.loss_ == "mae":
            err = np.abs(X - R)
        elif self.loss_ == "huber":  # in the data's units: delta times scale_
            delta = _HUBER_DELTA * self._input_unit()
            err = np.abs(X - R)
            err = np.where(err <= delta, 0.5 * err**2, delta * (err - 0.5 * delta))
        else:
            err = (X - R) ** 2
        if weights is None:
            return err.mean(axis=1)
        weights = weights.reshape(len(X), -1).astype(np.float64)  # (n, parts)
        err = err.reshape(weights.shape + (-1,))  # (n, parts, values per part)
        totals = (err * weights[:, :, None]).sum(axis=(1, 2))
        counts = weights.sum(axis=1) * err.shape[2]
        return np.divide(totals, counts, out=np.zeros(len(X)), where=counts > 0)

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: minus the mean reconstruction error.

        Higher is better, so ``GridSearchCV`` picks the model that reconstructs
        held-out data best.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        tags.input_tags.sparse = self._lazy_input
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
            state["decoder_"] = _sub_network(model, "decoder")
        super().__setstate__(state)

    def __deepcopy__(self, memo):
        # Keras models cannot be deep-copied directly; go through the state.
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        clone.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return clone


@contextlib.contextmanager
def _restored_on_failure(keras, model):
    """Give ``model`` back its weights and optimizer state if the block fails.

    A warm fit trains the network that the estimator already holds: rolling
    back the estimator's attributes does not undo that, this does.
    """
    weights = model.get_weights()
    slots = [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]
    try:
        yield
    except BaseException:
        model.set_weights(weights)
        for var, value in zip(model.optimizer.variables, slots):
            var.assign(value)
        raise


def _sub_network(model, name):
    """The part ``name`` of ``model``, or None where it has none (a model
    without a decoder)."""
    try:
        return model.get_layer(name)
    except ValueError:
        return None


def _in_unit(lo, hi):
    return lo >= 0.0 and hi <= 1.0


def _check_unit_range(lo, hi, who):
    if not _in_unit(lo, hi):
        raise ValueError(
            f"{who} needs data in [0, 1], but X spans [{lo:.4g}, {hi:.4g}]. "
            "Scale it first (e.g. with sklearn.preprocessing.MinMaxScaler, as "
            "for the data of the first fit) or use loss='mse'."
        )


def _tf_replicas(keras):
    """Replicas of the active ``tf.distribute`` strategy (1 without one)."""
    if keras.backend.backend() != "tensorflow":
        return 1
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


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
