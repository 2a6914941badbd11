"""GridSearchCV over skae estimators: serially, in joblib's process pool
(loky) and on a Dask distributed cluster, with the same results.

Every fit in a worker unpickles the unfitted estimator and builds its own
Keras network; the results must not depend on where the fits ran.
"""

import logging
import os

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skae import DenseAutoencoder

SECTION = "parallel grid search"
GRID = {"n_components": [2, 16]}
N_ROWS = 600

# Every fit runs on CPU with the same data, split, random_state and library
# versions, and builds its own network from the pickled unfitted estimator,
# so the workers (loky and Dask) reproduce the serial scores exactly: the
# measured difference is 0.0 for every split (TensorFlow 2.21, Keras 3.15,
# 2 cores). The tolerance of 1e-5 relative only leaves room for another
# machine giving a worker another thread count, which can change the order
# of float32 sums in the last digits; it is far below the gap between the two
# candidates (-0.42 against -0.33), so best_params_ must agree regardless.
SCORE_RTOL = 1e-5


def _search(X, n_jobs):
    """Two code sizes, two folds: 16 values reconstruct held-out digits far
    better than 2 after 10 epochs (scores about -0.33 against -0.42)."""

    # Local functions travel to the workers by value (cloudpickle), so the
    # workers need not import this test module.
    def _reconstruction(estimator, X, y=None):
        return estimator.score(X)

    def _pid(estimator, X, y=None):
        """The id of the process that scored this split (exact as a float)."""
        return float(os.getpid())

    search = GridSearchCV(
        DenseAutoencoder(epochs=10, batch_size=32, learning_rate=1e-2,
                         random_state=0),
        GRID,
        cv=2,
        scoring={"score": _reconstruction, "pid": _pid},
        refit="score",
        n_jobs=n_jobs,
    )
    return search.fit(X)


def _pids(search):
    n_splits = search.n_splits_
    return {
        int(pid)
        for k in range(n_splits)
        for pid in search.cv_results_[f"split{k}_test_pid"]
    }


def _matches(search, serial):
    same_params = search.best_params_ == serial.best_params_
    close = np.allclose(search.cv_results_["mean_test_score"],
                        serial.cv_results_["mean_test_score"],
                        rtol=SCORE_RTOL, atol=0)
    return same_params, close


@pytest.fixture(scope="module")
def X(digits):
    return digits[0][:N_ROWS]


@pytest.fixture(scope="module")
def serial(X):
    return _search(X, n_jobs=1)


@pytest.fixture(scope="module")
def dask_client():
    """A real two-process Dask cluster, shut down even if a test fails."""
    from distributed import Client, LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        # No dashboard; the scheduler's HTTP endpoint on a free local port
        # (not 8787, which another process may hold).
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


@pytest.fixture
def loky_workers():
    """Shut joblib's reusable process pool down after the test: its workers
    hold a TensorFlow runtime each and would otherwise idle for minutes."""
    yield
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def test_serial_search_picks_the_larger_code(X, serial):
    assert serial.best_params_ == {"n_components": 16}
    scores = serial.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and scores[1] - scores[0] > 0.03
    assert _pids(serial) == {os.getpid()}
    assert serial.best_estimator_.transform(X[:3]).shape == (3, 16)


def test_process_pool_search_matches_serial(X, serial, loky_workers,
                                            reliability_report):
    search = _search(X, n_jobs=2)  # joblib's default backend: loky processes
    pids = _pids(search)
    same_params, close = _matches(search, serial)
    reliability_report(SECTION, "process-pool search best params match serial",
                       same_params)
    reliability_report(SECTION, "process-pool search scores match serial "
                       f"(rtol={SCORE_RTOL:g})", close)
    assert os.getpid() not in pids  # the fits really ran in other processes
    assert same_params, (search.best_params_, serial.best_params_)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"],
                               rtol=SCORE_RTOL, atol=0)


def test_dask_search_matches_serial(X, serial, dask_client, reliability_report):
    worker_pids = set(dask_client.run(os.getpid).values())
    with joblib.parallel_backend("dask"):
        search = _search(X, n_jobs=2)
    pids = _pids(search)
    same_params, close = _matches(search, serial)
    reliability_report(SECTION, "dask search best params match serial",
                       same_params)
    reliability_report(SECTION, "dask search scores match serial "
                       f"(rtol={SCORE_RTOL:g})", close)
    assert pids <= worker_pids and os.getpid() not in pids  # on the workers
    assert same_params, (search.best_params_, serial.best_params_)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"],
                               rtol=SCORE_RTOL, atol=0)
