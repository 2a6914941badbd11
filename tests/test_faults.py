"""Faults during training (issue 8): a loss that turns NaN, an interrupt, a
failing user callback. Each leaves the estimator unfitted (first fit) or
exactly as it was before the call (warm start, partial_fit): weights,
optimizer state, history and outputs. Then warm_start and partial_fit are
checked to really continue training.
"""

import pickle

import keras
import numpy as np
import pytest
import scipy.sparse as sp

from skae import (
    ConvAutoencoder,
    DenseAutoencoder,
    SequenceAutoencoder,
    VariationalAutoencoder,
)

SMALL = {"epochs": 3, "batch_size": 32, "random_state": 0}


def make(name, **params):
    estimators = {
        "DenseAutoencoder": lambda: DenseAutoencoder(4, **SMALL),
        "ConvAutoencoder": lambda: ConvAutoencoder(
            image_shape=(8, 8, 1), filters=(4, 4), **SMALL
        ),
        "SequenceAutoencoder": lambda: SequenceAutoencoder(
            n_components=2, hidden_layer_sizes=(4,), sequence_shape=(8, 8), **SMALL
        ),
        "VariationalAutoencoder": lambda: VariationalAutoencoder(
            2, hidden_layer_sizes=(16,), **SMALL
        ),
    }
    return estimators[name]().set_params(**params)


NAMES = ["DenseAutoencoder", "ConvAutoencoder", "SequenceAutoencoder",
         "VariationalAutoencoder"]


class PoisonWeights(keras.callbacks.Callback):
    """After the first epoch, set a weight to NaN: the next loss is NaN."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            w = self.model.trainable_weights[0]
            w.assign(np.full(w.shape, np.nan, dtype="float32"))


class Interrupt(keras.callbacks.Callback):
    """Ctrl-C after the first epoch, once some training has happened."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise KeyboardInterrupt


class Broken(keras.callbacks.Callback):
    """A user callback with a bug."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            raise RuntimeError("bug in a user callback")


FAULTS = {
    "nan loss": (PoisonWeights, ValueError, "diverged"),
    "KeyboardInterrupt": (Interrupt, KeyboardInterrupt, None),
    "failing callback": (Broken, RuntimeError, "bug in a user callback"),
}


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:160]


@pytest.fixture(scope="module")
def fitted(X):
    return {name: make(name).fit(X) for name in NAMES}


def state_of(est, X):
    """Everything a half-finished fit could have changed."""
    return {
        "weights": [w.copy() for w in est.model_.get_weights()],
        "optimizer": [keras.ops.convert_to_numpy(v).copy()
                      for v in est.model_.optimizer.variables],
        "history": {k: list(v) for k, v in est.history_.items()},
        "n_iter": est.n_iter_,
        "codes": est.transform(X),
        "attributes": sorted(est.__dict__),
    }


def assert_same_state(before, after):
    assert after["attributes"] == before["attributes"]
    assert after["n_iter"] == before["n_iter"]
    assert after["history"] == before["history"]
    for a, b in zip(after["weights"], before["weights"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(after["optimizer"], before["optimizer"]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(after["codes"], before["codes"])


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("name", NAMES)
def test_fault_in_first_fit_leaves_estimator_unfitted(name, fault, X,
                                                      reliability_report):
    callback, error, match = FAULTS[fault]
    est = make(name, callbacks=[callback()])
    params = est.get_params()
    survived = False
    try:
        with pytest.raises(error, match=match):
            est.fit(X)
        assert not hasattr(est, "model_") and not hasattr(est, "n_features_in_")
        assert est.get_params().keys() == params.keys()
        if fault == "KeyboardInterrupt":
            # Nothing left behind: the same estimator fits normally afterwards.
            est.set_params(callbacks=None).fit(X)
            assert np.isfinite(est.transform(X)).all()
        survived = True
    finally:
        reliability_report("faults injected (fit)", name, survived)


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("name", NAMES)
def test_fault_while_continuing_restores_previous_state(name, how, fault, X,
                                                        fitted, reliability_report):
    callback, error, match = FAULTS[fault]
    # One fitted estimator per model serves every case: each case checks that
    # the failed call left it exactly as it found it.
    est = fitted[name].set_params(callbacks=None, warm_start=False)
    before = state_of(est, X)
    est.set_params(callbacks=[callback()], warm_start=True)
    survived = False
    try:
        with pytest.raises(error, match=match):
            if how == "warm_start":
                est.fit(X)
            else:  # one epoch: the fault fires at its end
                est.partial_fit(X)
        assert_same_state(before, state_of(est, X))
        survived = True
    finally:
        reliability_report(f"faults injected ({how})", name, survived)


def test_interrupted_estimator_still_pickles_and_continues(X):
    est = make("DenseAutoencoder").fit(X)
    est.set_params(callbacks=[Interrupt()], warm_start=True)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X)
    clone = pickle.loads(pickle.dumps(est.set_params(callbacks=None)))
    np.testing.assert_allclose(clone.transform(X), est.transform(X), atol=1e-6)
    n_iter = clone.n_iter_
    clone.fit(X)
    assert clone.n_iter_ == n_iter + SMALL["epochs"]


# ----------------------------------------------------------------------
# Continuing training
# ----------------------------------------------------------------------
def test_warm_start_continues_training(X):
    est = make("DenseAutoencoder", warm_start=True, epochs=5).fit(X)
    first = est.history_["loss"][:]
    weights = est.model_.get_weights()
    est.fit(X)
    assert est.n_iter_ == 10
    assert est.history_["loss"][:5] == first
    # Training went on from where it stopped, not from scratch.
    assert est.history_["loss"][5] < first[0]
    assert est.history_["loss"][-1] < first[-1]
    assert any(not np.array_equal(a, b)
               for a, b in zip(weights, est.model_.get_weights()))


def test_partial_fit_makes_one_pass_per_call(digits):
    X = digits[0]
    est = DenseAutoencoder(8, batch_size=32, random_state=0)
    chunks = np.array_split(X[:1500], 5)
    for i in range(3):
        for chunk in chunks:
            est.partial_fit(chunk)
    assert est.n_iter_ == 15
    assert len(est.history_["loss"]) == 15
    # One pass over each chunk: the optimizer took ceil(300 / 32) steps per call.
    assert int(est.model_.optimizer.iterations.numpy()) == 15 * 10
    # It learnt: the held-out reconstruction beats the first pass's model.
    first = DenseAutoencoder(8, batch_size=32, random_state=0).partial_fit(chunks[0])
    assert est.score(X[1500:]) > first.score(X[1500:]) + 0.05


def test_partial_fit_continues_a_fit_and_checks_input(digits):
    X = digits[0]
    est = DenseAutoencoder(8, epochs=3, batch_size=32, random_state=0).fit(X[:1000])
    score = est.score(X[1000:])
    for _ in range(5):
        est.partial_fit(X[:1000])
    assert est.n_iter_ == 8
    assert est.score(X[1000:]) > score
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :10])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        est.partial_fit(X * 2.0)  # fitted with binary cross-entropy
    assert est.n_iter_ == 8


def test_partial_fit_on_sparse_chunks(digits):
    X = digits[0]
    est = DenseAutoencoder(8, batch_size=32, random_state=0)
    for chunk in np.array_split(X[:1200], 4):
        est.partial_fit(sp.csr_matrix(chunk))
    assert est.n_iter_ == 4
    np.testing.assert_allclose(est.transform(sp.csr_matrix(X[:50])),
                               est.transform(X[:50]), rtol=1e-5, atol=1e-6)


def test_partial_fit_on_padded_sequences_ignores_the_padding_value(digits):
    """Sequences in [0, 1] padded with mask_value=-1 train with binary
    cross-entropy, and continuing on them is allowed: the padding value is not
    data, so it does not count as data outside [0, 1]."""
    X = digits[0][:200].reshape(200, 8, 8).copy()
    X[::2, 5:] = -1.0  # every other sequence is 5 steps long
    est = SequenceAutoencoder(n_components=2, hidden_layer_sizes=(4,),
                              mask_value=-1.0, batch_size=32, random_state=0)
    est.partial_fit(X)
    assert est.loss_ == "binary_crossentropy"
    assert est.data_range_ == (float(X[X != -1].min()), float(X[X != -1].max()))
    est.partial_fit(X)
    est.set_params(warm_start=True, epochs=1).fit(X)
    assert est.n_iter_ == 3
