import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest

from skae.datasets import find_mnist, load_digits_images, load_mnist


@pytest.fixture(scope="module", autouse=True)
def _freeze_what_survives():
    """Keep the garbage collector's full passes short over the whole suite.

    TensorFlow keeps the graphs it traced for every fit alive after the model
    is gone (about 12,000 Python objects a fit; ``keras.backend.clear_session``
    does not free them: keras-team/keras#17458). Over the suite's thousands of
    fits that is tens of millions of objects, which every full collection
    walks again. Before each module: collect, then move what survives to the
    permanent generation, so later collections walk only newer objects.
    """
    gc.collect()
    gc.freeze()
    yield


@pytest.fixture(scope="session")
def digits():
    """Bundled 8x8 digits in [0, 1]: (X flat float32 (1797, 64), y)."""
    images, target = load_digits_images()
    return images.reshape(len(images), -1), target


ROOT = Path(__file__).resolve().parents[1]


def _run_python(code, *args, timeout=300, **env_vars):
    """Run ``code`` in a fresh Python process and return the JSON object it
    prints last. The process starts without ``KERAS_BACKEND`` (so TensorFlow)
    unless ``env_vars`` sets it; the backend is fixed per process, so this is
    how a test uses another backend or device setup."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("KERAS_BACKEND", None)
    env.update(env_vars)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def run_python():
    """``run_python(code, *argv, timeout=300, **env)``: see :func:`_run_python`."""
    return _run_python


def _held_out_scores(est, X_train, y_train, X_test, y_test):
    """``(test MSE, 5-NN accuracy)`` of a fitted ``est``: the mean squared
    error of ``X_test`` rebuilt from its codes, and a 5-NN classifier fitted
    on the training codes scoring the test codes."""
    import numpy as np
    from sklearn.neighbors import KNeighborsClassifier

    C_train, C_test = est.transform(X_train), est.transform(X_test)
    R = est.inverse_transform(C_test)
    knn = KNeighborsClassifier(5).fit(C_train, y_train).score(C_test, y_test)
    return float(np.mean((R - X_test) ** 2)), knn


@pytest.fixture(scope="session")
def held_out_scores():
    """``held_out_scores(est, X_train, y_train, X_test, y_test)``: see
    :func:`_held_out_scores`."""
    return _held_out_scores


@pytest.fixture(scope="session")
def mnist_small():
    """A small slice of real MNIST: (x_train, y_train, x_test, y_test), flat.

    The file is found through skae.datasets.find_mnist (SKAE_MNIST, then
    ../shared/data); tests that need it fail loudly if it is missing.
    """
    path = find_mnist()
    if path is None:
        pytest.fail("mnist.npz not found: set SKAE_MNIST or provide ../shared/data")
    (xtr, ytr), (xte, yte) = load_mnist(path)
    return (xtr[:3000].reshape(3000, -1), ytr[:3000],
            xte[:1000].reshape(1000, -1), yte[:1000])


# Counts for the reliability summary printed at the end of the run: for each
# section (bad inputs, faults, searches), how many cases were tried per item
# and how many behaved as specified.
_REPORT = {}


@pytest.fixture(scope="session")
def reliability_report():
    """``record(section, item, ok)``: count one case for the final summary."""

    def record(section, item, ok):
        counts = _REPORT.setdefault(section, {}).setdefault(item, [0, 0])
        counts[0] += 1
        counts[1] += bool(ok)

    return record


def pytest_terminal_summary(terminalreporter):
    if not _REPORT:
        return
    terminalreporter.section("skae reliability counts")
    for section, items in _REPORT.items():
        tried = sum(t for t, _ in items.values())
        ok = sum(o for _, o in items.values())
        terminalreporter.write_line(f"{section}: {ok}/{tried} behaved")
        for item, (t, o) in items.items():
            terminalreporter.write_line(f"    {item}: {o}/{t}")
