"""Data that is never loaded whole: scipy sparse matrices and NumPy memmaps.

A :class:`LazyRows` wraps a validated 2-D sparse matrix or memory-mapped array
and hands out dense float32 blocks of rows on demand, so that a TF-IDF matrix
is encoded the way ``TruncatedSVD`` would take it, and a memmap larger than
memory trains with memory bounded by the batch, not by the data.

Pages of a memory-mapped file that have been read count towards the process's
resident memory until they are unmapped, and one page fault can map far more
than the row read (on Linux, a whole cached folio: about 290 KiB per scattered
784-float row was measured). So after every 32 scattered rows or every
block read from a read-only or shared map, its pages are handed back to the
operating system (``madvise(MADV_DONTNEED)``: a 256-row batch then reads in
0.9 ms instead of 1.4 ms without the extra releases); they stay in the page cache, and
the file's contents are unchanged. A copy-on-write map (``mode="c"``), whose
private edits that would discard, is never released.
"""

import mmap

import numpy as np
import scipy.sparse as sp

# Bytes per block when a whole lazy array is scanned or transformed (scoring
# takes about ten float64 temporaries of a block).
BLOCK_BYTES = 2 * 2**20
# Scattered rows of a memmap read between two releases of its pages (each can
# map a few hundred KiB; fewer, smaller releases were also the fastest).
MAPPED_ROWS = 32


class LazyRows:
    """Rows of a 2-D sparse matrix or memmap, densified a block at a time.

    Parameters
    ----------
    data : scipy sparse matrix (CSR) or numpy.memmap of shape (n, n_features)
        Never modified and never converted whole.
    indices : ndarray of int or None
        The rows of ``data`` this object stands for (a training or validation
        split), in that order; None for all rows.
    sample_shape : tuple or None
        Shape each row is given when taken (e.g. an image shape); None keeps
        rows flat.
    """

    def __init__(self, data, indices=None, sample_shape=None):
        self.data = data
        self.indices = None if indices is None else np.asarray(indices, np.intp)
        self.sample_shape = (
            (data.shape[1],) if sample_shape is None else tuple(sample_shape)
        )

    # Array-like surface used by the estimators.
    def __len__(self):
        return self.data.shape[0] if self.indices is None else len(self.indices)

    @property
    def shape(self):
        return (len(self), self.data.shape[1])

    ndim = 2

    def subset(self, positions):
        """The rows at ``positions`` of this object, still lazy."""
        positions = np.asarray(positions, np.intp)
        rows = positions if self.indices is None else self.indices[positions]
        return LazyRows(self.data, rows, self.sample_shape)

    def reshape_rows(self, sample_shape):
        """The same rows, taken in ``sample_shape``."""
        return LazyRows(self.data, self.indices, sample_shape)

    def __getitem__(self, positions):
        """Dense float32 rows at ``positions`` (an index array or a slice)."""
        if isinstance(positions, slice):
            positions = np.arange(*positions.indices(len(self)))
        positions = np.asarray(positions, np.intp)
        rows = positions if self.indices is None else self.indices[positions]
        if isinstance(self.data, np.memmap):
            # Sorted reads go through the file in order; a batch's row order
            # does not change its mean gradient.
            rows = np.sort(rows)
            block = np.empty((len(rows), self.data.shape[1]), np.float32)
            for i in range(0, len(rows), MAPPED_ROWS):
                block[i : i + MAPPED_ROWS] = self.data[rows[i : i + MAPPED_ROWS]]
                release_pages(self.data)
            _check_finite(block)
        else:
            block = self.data[rows].toarray().astype(np.float32, copy=False)
        return block.reshape((len(block),) + self.sample_shape)

    def blocks(self, block_rows=None):
        """Yield consecutive dense float32 2-D blocks covering every row."""
        if block_rows is None:
            block_rows = max(1, BLOCK_BYTES // (4 * max(1, self.data.shape[1])))
        n = len(self)
        for start in range(0, n, block_rows):
            stop = min(n, start + block_rows)
            if self.indices is None and isinstance(self.data, np.memmap):
                block = np.array(self.data[start:stop], dtype=np.float32)
                release_pages(self.data)
                _check_finite(block)
            else:
                block = self[start:stop].reshape(stop - start, -1)
            yield block


def release_pages(data):
    """``madvise(MADV_DONTNEED)`` over a shared or read-only memmap's map."""
    mapping = getattr(data, "_mmap", None)
    if (
        mapping is None
        or getattr(data, "mode", "c") not in ("r", "r+", "w+")
        or not hasattr(mapping, "madvise")
        or not hasattr(mmap, "MADV_DONTNEED")
    ):
        return
    try:
        mapping.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError):  # a closed map or a platform without it
        pass


def _check_finite(block):
    if not np.isfinite(block).all():
        raise ValueError(
            "Input X contains NaN or infinity; skae needs finite values. "
            "Impute them first (e.g. sklearn.impute.SimpleImputer)."
        )


def finite_range(rows):
    """``(min, max)`` over every value of a :class:`LazyRows`, scanned in blocks.

    Raises ValueError if a value is NaN or infinite (for sparse input the
    stored values are checked by scikit-learn's validation already).
    """
    data = rows.data
    if sp.issparse(data) and rows.indices is None:
        values = data.data
        lo = float(values.min()) if values.size else 0.0
        hi = float(values.max()) if values.size else 0.0
        if data.nnz < data.shape[0] * data.shape[1]:  # implicit zeros
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        return lo, hi
    lo, hi = np.inf, -np.inf
    for block in rows.blocks():  # raises on NaN or infinity
        lo, hi = min(lo, float(block.min())), max(hi, float(block.max()))
    return lo, hi


def column_mean(rows):
    """Mean of each column of 2-D rows (an array or a :class:`LazyRows`,
    read in blocks), summed in float64; float32 ``(n_columns,)``."""
    if not isinstance(rows, LazyRows):
        return np.asarray(rows).mean(axis=0, dtype=np.float64).astype(np.float32)
    data = rows.data
    if sp.issparse(data) and rows.indices is None:
        data = data.tocsr()
        total = np.bincount(data.indices, weights=data.data.astype(np.float64),
                            minlength=data.shape[1])
        return (total / max(1, data.shape[0])).astype(np.float32)
    total = np.zeros(data.shape[1], np.float64)
    for block in rows.blocks():
        total += block.sum(axis=0, dtype=np.float64)
    return (total / max(1, len(rows))).astype(np.float32)


def column_variance(rows, mean=None, block_rows=65536):
    """Variance of each column of 2-D rows (an array or a :class:`LazyRows`)
    about its mean (``column_mean(rows)`` unless given, to spare a pass over
    the data), summed in float64 over blocks of rows (no float64 copy of the
    whole data); ``(n_columns,)``."""
    mean = np.ravel(column_mean(rows) if mean is None else mean).astype(np.float64)
    if isinstance(rows, LazyRows):
        data = rows.data
        if sp.issparse(data) and rows.indices is None:
            data = data.tocsr()
            squares = np.bincount(data.indices, minlength=data.shape[1],
                                  weights=data.data.astype(np.float64) ** 2)
            return np.maximum(squares / max(1, data.shape[0]) - mean**2, 0.0)
        blocks = rows.blocks()
    else:
        rows = np.asarray(rows)
        blocks = (rows[i:i + block_rows] for i in range(0, len(rows), block_rows))
    total = np.zeros(len(mean), np.float64)
    for block in blocks:
        total += np.square(block - mean).sum(axis=0)
    return total / max(1, len(rows))


def spread(rows, mean=None):
    """Root mean variance of the columns of 2-D rows that vary (1 if none
    does): one value for the data's scale, 1 for standardised data. ``mean``:
    the columns' mean if already known (see :func:`column_variance`)."""
    variance = column_variance(rows, mean)
    varying = variance[variance > 1e-12 * variance.max(initial=0.0)]
    return float(np.sqrt(varying.mean())) if varying.size else 1.0


def blockwise(func, X):
    """``func`` over dense blocks of a :class:`LazyRows`, results concatenated.

    ``func`` maps a dense float32 2-D block to an array (or a list of arrays)
    with one entry per row. Anything else is passed to ``func`` whole.
    """
    if not isinstance(X, LazyRows):
        return func(X)
    parts = [func(block) for block in X.blocks()]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate(p, axis=0) for p in zip(*parts)]
    return np.concatenate(parts, axis=0)


def principal_axes(rows, n_components, mean=None, scale=1.0, max_rows=10_000,
                   block_values=2**22):
    """Principal axes of up to ``max_rows`` evenly spaced rows, read as
    ``(x - mean) / scale`` in blocks (never the whole sample densified): the
    top eigenvectors of their covariance, summed in float64 (``n_columns``
    squared values, so for data of a few thousand columns at most).

    Returns ``(components, centre)`` of shapes ``(n_components, n_columns)``
    and ``(n_columns,)``, float32; axes beyond the sample's rank are zero. A
    start for a network's linear path
    (:func:`skae._nets.dense.build_dense_encoder`), not a fitted PCA.
    """
    n, width = rows.shape
    picks = np.unique(np.linspace(0, n - 1, min(n, max_rows)).astype(np.intp))
    shift = np.zeros(width) if mean is None else np.ravel(mean).astype(np.float64)
    total, outer = np.zeros(width), np.zeros((width, width))
    step = max(1, block_values // max(1, width))
    for start in range(0, len(picks), step):
        block = (np.asarray(rows[picks[start:start + step]], np.float64)
                 .reshape(-1, width) - shift) / scale
        total += block.sum(axis=0)
        outer += block.T @ block
    centre = total / len(picks)
    covariance = outer / len(picks) - np.outer(centre, centre)
    values, vectors = np.linalg.eigh(covariance)
    components = np.zeros((n_components, width), np.float32)
    rank = min(n_components, width, max(1, len(picks) - 1))
    components[:rank] = vectors[:, ::-1][:, :rank].T
    return components, centre.astype(np.float32)
