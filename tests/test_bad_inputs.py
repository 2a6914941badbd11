"""Every estimator against awkward and broken input (issue 8).

Each case either works (finite output of the right shape) or raises a
ValueError/TypeError whose message says what is wrong; either way the
caller's data is left exactly as it was. The counts go to the summary printed
at the end of the run ("skae reliability counts").
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skae import (
    ConvAutoencoder,
    DenseAutoencoder,
    SequenceAutoencoder,
    VariationalAutoencoder,
)

N_ROWS, N_FEATURES = 120, 64


def make_estimators():
    """Small instances of every estimator, fit on flat (n, 64) digits."""
    small = {"epochs": 1, "batch_size": 32, "random_state": 0}
    return {
        "DenseAutoencoder": DenseAutoencoder(4, **small),
        "ConvAutoencoder": ConvAutoencoder(
            image_shape=(8, 8, 1), filters=(4, 4), **small
        ),
        "SequenceAutoencoder": SequenceAutoencoder(
            n_components=2, hidden_layer_sizes=(4,), sequence_shape=(8, 8), **small
        ),
        "VariationalAutoencoder": VariationalAutoencoder(
            2, hidden_layer_sizes=(16,), **small
        ),
    }


NAMES = list(make_estimators())
# Estimators that read sparse input block by block; the sequence model needs
# dense data and says so with scikit-learn's TypeError.
SPARSE_OK = {"DenseAutoencoder", "ConvAutoencoder", "VariationalAutoencoder"}


@pytest.fixture(scope="module")
def X(digits):
    return np.ascontiguousarray(digits[0][:N_ROWS])


@pytest.fixture(scope="module")
def fitted(X):
    return {name: est.fit(X) for name, est in make_estimators().items()}


@pytest.fixture
def memmap_of(tmp_path):
    def make(array):
        path = tmp_path / f"x{np.random.randint(1 << 30)}.dat"
        out = np.memmap(path, dtype=array.dtype, mode="w+", shape=array.shape)
        out[:] = array
        out.flush()
        return np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)

    return make


# ----------------------------------------------------------------------
# The cases: name -> (make input from clean X, expected outcome). The outcome
# is "works" or (exception types, regex the message must match); a dict gives
# per-estimator outcomes with "default".
# ----------------------------------------------------------------------
def _with(value):
    def make(X, memmap_of):
        bad = X.copy()
        bad[3, 5] = value
        return bad

    return make


def _sparse(fmt):
    return lambda X, memmap_of: sp.random(
        len(X), X.shape[1], density=0.2, format=fmt, random_state=0, dtype=np.float64
    )


SPARSE_REFUSED = (TypeError, "dense data is required")
NAN = (ValueError, "NaN|infinity")

FIT_CASES = {
    "nan": (_with(np.nan), NAN),
    "inf": (_with(np.inf), NAN),
    "empty": (lambda X, m: X[:0], (ValueError, "0 sample")),
    "one row": (lambda X, m: X[:1], (ValueError, "1 sample")),
    "1-D": (lambda X, m: X[0], (ValueError, "2D array|1D")),
    "numeric strings": (lambda X, m: X.astype(str), "works"),
    "text": (
        lambda X, m: np.full(X.shape, "pixel"), (ValueError, "convert|string|dtype")
    ),
    "object strings": (
        lambda X, m: np.array([["a"] * X.shape[1]] * len(X), dtype=object),
        (ValueError, "convert|string"),
    ),
    "complex": (lambda X, m: X.astype(np.complex64), (ValueError, "[Cc]omplex")),
    "object numbers": (lambda X, m: X.astype(object), "works"),
    "list of lists": (lambda X, m: X.tolist(), "works"),
    "pandas": (
        lambda X, m: pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])]),
        "works",
    ),
    "pandas with a text column": (
        lambda X, m: pd.DataFrame(
            X, columns=[f"px{i}" for i in range(X.shape[1])]
        ).assign(label="a"),
        (ValueError, "convert|string"),
    ),
    "float64": (lambda X, m: X.astype(np.float64), "works"),
    "int": (lambda X, m: (X > 0.5).astype(np.int64), "works"),
    "bool": (lambda X, m: X > 0.5, "works"),
    "csr": (_sparse("csr"), {"default": "works", "SequenceAutoencoder": SPARSE_REFUSED}),
    "csc": (_sparse("csc"), {"default": "works", "SequenceAutoencoder": SPARSE_REFUSED}),
    "coo": (_sparse("coo"), {"default": "works", "SequenceAutoencoder": SPARSE_REFUSED}),
    "sparse with nan": (
        lambda X, m: sp.csr_matrix(_with(np.nan)(X, m)),
        {"default": NAN, "SequenceAutoencoder": SPARSE_REFUSED},
    ),
    "memmap": (lambda X, m: m(X), "works"),
    "memmap float64": (lambda X, m: m(X.astype(np.float64)), "works"),
    "memmap with nan": (lambda X, m: m(_with(np.nan)(X, m)), NAN),
    "wrong n-d shape": (
        lambda X, m: X.reshape(len(X), 4, 4, 4),
        (ValueError, "shape|dimension"),
    ),
}

TRANSFORM_CASES = {
    "nan": (_with(np.nan), NAN),
    "inf": (_with(-np.inf), NAN),
    "wrong feature count": (lambda X, m: X[:, :-1], (ValueError, "features")),
    "empty": (lambda X, m: X[:0], (ValueError, "0 sample")),
    "one row": (lambda X, m: X[:1], "works"),
    "1-D": (lambda X, m: X[0], (ValueError, "2D array|1D")),
    "3-D wrong shape": (
        lambda X, m: X.reshape(len(X), 2, 32),
        {"default": (ValueError, "shape|dimension"),
         # (n, 2, 32) is a valid 3-D layout for a sequence model fitted on
         # (8, 8) sequences only if the shapes agree: they do not.
         "SequenceAutoencoder": (ValueError, "shape|sequence")},
    ),
    "text": (
        lambda X, m: np.full(X.shape, "pixel"), (ValueError, "convert|string|dtype")
    ),
    "list of lists": (lambda X, m: X.tolist(), "works"),
    "pandas": (lambda X, m: pd.DataFrame(X), "works"),
    "float64": (lambda X, m: X.astype(np.float64), "works"),
    "int": (lambda X, m: (X > 0.5).astype(np.int32), "works"),
    "csr": (_sparse("csr"), {"default": "works", "SequenceAutoencoder": SPARSE_REFUSED}),
    "memmap": (lambda X, m: m(X), "works"),
    "memmap with nan": (lambda X, m: m(_with(np.nan)(X, m)), NAN),
}


def _expected(outcome, name):
    if isinstance(outcome, dict):
        return outcome.get(name, outcome["default"])
    return outcome


def _snapshot(data):
    if sp.issparse(data):
        return data.copy()
    if isinstance(data, (pd.DataFrame, np.ndarray)):
        return data.copy()
    return copy.deepcopy(data)


def _unchanged(data, before):
    if sp.issparse(data):
        return (
            data.format == before.format
            and data.dtype == before.dtype
            and np.array_equal(data.toarray(), before.toarray(), equal_nan=True)
        )
    if isinstance(data, pd.DataFrame):
        return data.equals(before)
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "fc":
            return np.array_equal(data, before, equal_nan=True)
        return np.array_equal(data, before)
    return data == before


def _check_outcome(call, data, expected):
    before = _snapshot(data)
    if expected == "works":
        out = call(data)
    else:
        types, pattern = expected
        with pytest.raises(types, match=pattern):
            call(data)
        out = None
    assert _unchanged(data, before), "the caller's data was modified"
    return out


# Conversions that take the same validation path as a case every estimator
# runs (float64 and int as "int", CSC as COO, ...) are run for the dense model
# only: each accepted input costs a full fit.
DENSE_ONLY = {"object numbers", "numeric strings", "bool", "float64", "csc",
              "memmap float64"}
FIT_PARAMS = [(name, case) for name in NAMES for case in FIT_CASES
              if name == "DenseAutoencoder" or case not in DENSE_ONLY]


@pytest.mark.parametrize(("name", "case"), FIT_PARAMS)
def test_fit_input(name, case, X, memmap_of, reliability_report):
    make, outcome = FIT_CASES[case]
    data = make(X, memmap_of)
    expected = _expected(outcome, name)
    est = make_estimators()[name]
    ok = False
    try:
        out = _check_outcome(lambda d: est.fit(d).transform(d), data, expected)
        if expected == "works":
            assert out.shape == (len(X), est._n_features_out)
            assert np.isfinite(out).all()
            assert est.n_features_in_ == X.shape[1]
            if isinstance(data, pd.DataFrame):
                assert list(est.feature_names_in_) == list(data.columns)
        else:
            assert not hasattr(est, "model_"), "a failed fit left a model behind"
        ok = True
    finally:
        reliability_report("bad inputs to fit", name, ok)


@pytest.mark.parametrize("case", list(TRANSFORM_CASES))
@pytest.mark.parametrize("name", NAMES)
def test_transform_input(name, case, X, fitted, memmap_of, reliability_report):
    make, outcome = TRANSFORM_CASES[case]
    data = make(X, memmap_of)
    expected = _expected(outcome, name)
    est = fitted[name]
    ok = False
    try:
        out = _check_outcome(est.transform, data, expected)
        if expected == "works":
            n = data.shape[0] if hasattr(data, "shape") else len(data)
            assert out.shape == (n, est._n_features_out)
            assert np.isfinite(out).all()
            # Every accepted form of the same rows gives the same codes.
            dense = data.toarray() if sp.issparse(data) else np.asarray(data, float)
            np.testing.assert_allclose(
                out, est.transform(dense.astype(np.float32)), rtol=1e-5, atol=1e-6
            )
        ok = True
    finally:
        reliability_report("bad inputs to transform", name, ok)


@pytest.mark.parametrize("name", NAMES)
def test_other_methods_refuse_bad_input(name, X, fitted, reliability_report):
    est = fitted[name]
    k = est._n_features_out
    cases = [
        (est.inverse_transform, np.zeros((2, k + 1)), ValueError, "expects codes"),
        (est.inverse_transform, np.full((2, k), np.nan), ValueError, "NaN"),
        (est.inverse_transform, sp.csr_matrix(np.zeros((2, k))), TypeError, "dense"),
        (est.score_samples, X[:, :10], ValueError, "features"),
        (est.score, np.full((3, X.shape[1]), np.inf), ValueError, "infinity"),
        (est.reconstruct, [["x"] * X.shape[1]], ValueError, "convert|string"),
    ]
    ok = 0
    for method, data, error, pattern in cases:
        with pytest.raises(error, match=pattern):
            method(data)
        ok += 1
        reliability_report("bad inputs to other methods", name, True)
    assert ok == len(cases)


@pytest.mark.parametrize("name", sorted(SPARSE_OK))
def test_sparse_and_memmap_match_dense(name, X, fitted, memmap_of):
    """Scores and reconstructions do not depend on how the rows are stored."""
    est = fitted[name]
    dense = est.score_samples(X)
    np.testing.assert_allclose(est.score_samples(sp.csr_matrix(X)), dense,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(est.score_samples(memmap_of(X)), dense,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(est.reconstruct(sp.csr_matrix(X)), est.reconstruct(X),
                               rtol=1e-5, atol=1e-6)
