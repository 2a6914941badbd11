"""Sparse and memory-mapped input is never converted whole (issue 8).

Python-side allocations (NumPy's included) are traced with ``tracemalloc``
while fitting and transforming; their peak must stay a small fraction of what
densifying or loading the data would take.
"""

import tracemalloc

import keras
import numpy as np
import scipy.sparse as sp

from skae import DenseAutoencoder
from skae._base import _IN_FLIGHT_BYTES


def _peak_bytes(func):
    # Keras and TensorFlow imported and one fit run first: importing them
    # allocates tens of MB of Python objects that would mask the data's.
    DenseAutoencoder(2, epochs=1).fit(np.random.RandomState(0).rand(20, 4))
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_wide_sparse_matrix_is_densified_batch_by_batch():
    # A TF-IDF-like matrix: 2,000 documents over a 50,000-word vocabulary,
    # 0.1% non-zero; dense it would take 400 MB as float32.
    X = sp.random(2000, 50_000, density=0.001, format="csr", random_state=0,
                  dtype=np.float32)
    dense_bytes = X.shape[0] * X.shape[1] * 4
    # One layer each way: the network's own weights (50,000 x 512 floats for
    # the default first hidden layer) would hide what this test measures, the
    # memory taken by the data. Keras reads a few batches ahead of training, as
    # many as timing allows (2 to 3 of 64 rows, 26 to 40 MB, were seen), so the
    # batches are small: 16 rows, 3.2 MB each, leave room for a dozen in flight.
    ae = DenseAutoencoder(16, hidden_layer_sizes=(), epochs=1, batch_size=16,
                          random_state=0)
    _, fit_peak = _peak_bytes(lambda: ae.fit(X))
    codes, transform_peak = _peak_bytes(lambda: ae.transform(X))
    assert codes.shape == (2000, 16) and np.isfinite(codes).all()
    # On JAX a call into the backend also holds its steps' batches while they
    # run, up to skae._base._IN_FLIGHT_BYTES (64 MB; 43 MB were seen here).
    held = _IN_FLIGHT_BYTES if keras.backend.backend() == "jax" else 0
    assert fit_peak < dense_bytes / 10 + held, fit_peak
    assert transform_peak < dense_bytes / 10, transform_peak
    # The same codes as from the dense rows, block for block.
    np.testing.assert_allclose(codes[:100], ae.transform(X[:100].toarray()),
                               rtol=1e-5, atol=1e-6)


def _memmap(path, rows, width, source, seed=0):
    rng = np.random.RandomState(seed)
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, width))
    X[:] = np.tile(source[rng.randint(0, len(source), rows)], width // source.shape[1])
    X.flush()
    del X
    return np.memmap(path, dtype=np.float32, mode="r", shape=(rows, width))


def test_memmap_fit_memory_does_not_grow_with_the_data(tmp_path, digits):
    """Peak Python-side memory of fit and score_samples on a memmap is set by
    the batch and block sizes: doubling the rows does not raise it."""
    peaks = {}
    for rows in (20_000, 40_000):  # 51 MB and 102 MB of float32
        X = _memmap(tmp_path / f"x{rows}.f32", rows, 640, digits[0])
        ae = DenseAutoencoder(8, epochs=1, batch_size=256, validation_fraction=0.1,
                              random_state=0)
        _, fit_peak = _peak_bytes(lambda: ae.fit(X))  # noqa: B023
        scores, score_peak = _peak_bytes(lambda: ae.score_samples(X))  # noqa: B023
        peaks[rows] = (fit_peak, score_peak)
        assert len(ae.history_["val_loss"]) == 1
        assert scores.shape == (rows,)
    data_bytes = 40_000 * 640 * 4
    for small, large in zip(peaks[20_000], peaks[40_000]):
        assert large < 1.25 * small + 2**20, peaks
        assert large < data_bytes / 3, peaks
    # Same scores as from the rows in memory.
    np.testing.assert_allclose(scores[:2000], ae.score_samples(np.array(X[:2000])),
                               rtol=1e-5, atol=1e-6)


def test_spread_reads_a_memmap_once_when_its_mean_is_known(tmp_path, digits):
    """A fit's ``scale_`` reuses ``mean_``: the column variance then reads the
    rows once, not twice (once more for the mean), and gives the same value."""
    from skae._rows import LazyRows, column_mean, spread

    X = _memmap(tmp_path / "x.f32", 5_000, 640, digits[0])
    reads = []
    original = LazyRows.blocks

    class Counted(LazyRows):
        def blocks(self, *args, **kwargs):
            reads.append(1)
            return original(self, *args, **kwargs)

    counted = Counted(X)
    mean = column_mean(counted)
    reads.clear()
    with_mean = spread(counted, mean)
    assert len(reads) == 1
    reads.clear()
    assert spread(counted) == with_mean
    assert len(reads) == 2
    exact = np.asarray(X, np.float64).var(axis=0)
    np.testing.assert_allclose(with_mean, np.sqrt(exact[exact > 0].mean()), rtol=1e-6)
