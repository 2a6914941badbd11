"""Parametric t-SNE: input affinities, edge batches and the batch loss.

The input affinities are t-SNE's: for each sample, a Gaussian kernel over its
``k`` nearest neighbours whose bandwidth gives the chosen perplexity, then
symmetrised, ``P = (P_cond + P_cond.T) / (2 n)``. ``P`` is a sparse matrix
with at most ``2 n k`` stored values, so memory grows linearly with ``n``.

Training does not sum over all ``n^2`` pairs. Each batch holds ``B`` edges
``(h_e, t_e)`` drawn with probability ``p_ij``; both ends go through the
network, and the loss is ``-mean_e log w(y_h_e, y_t_e) + log mean_{e != f}
w(y_h_e, y_t_f)`` with the Cauchy kernel ``w = 1 / (1 + |y_k - y_l|^2)`` (or
its heavier-tailed form ``(1 + |y_k - y_l|^2 / dof)^(-dof)``): the KL
divergence of t-SNE up to a constant, with the normalisation ``Z`` estimated
in the batch from the ``B (B - 1)`` pairs of one edge's head and another
edge's tail, independent draws (van der Maaten 2009; Damrich et al. 2022,
"From t-SNE to UMAP with contrastive learning"). Early exaggeration
multiplies the attraction term during the first epochs.
"""

import math

__all__ = ["TSNEBatchLoss", "WeightedReconstructionLoss"]

import keras
import numpy as np
import scipy.sparse as sp
from keras import ops

from .layers import pairwise_sq_distances
from .losses import binary_crossentropy

# Rows per block of the bandwidth search (a few arrays of rows x k float64).
_SEARCH_ROWS = 65536
_SEARCH_STEPS = 100
_SEARCH_TOL = 1e-5


def n_neighbors_for(perplexity, n_samples):
    """Neighbours used for ``perplexity``: ``3 * perplexity``, at most ``n - 1``."""
    return int(max(1, min(n_samples - 1, math.ceil(3 * perplexity))))


def conditional_bandwidths(sq_distances, perplexity):
    """Precisions ``beta`` (one per row) giving each row ``perplexity``.

    ``sq_distances`` (n, k) holds squared distances to each row's neighbours.
    A bisection on ``log beta`` runs for all rows at once, until every row's
    entropy of ``exp(-beta d) / sum`` is within ``_SEARCH_TOL`` of
    ``log(perplexity)`` (a row whose neighbours are all at the same distance
    keeps the uniform kernel).
    """
    d = sq_distances - sq_distances[:, :1]  # shift: the nearest is at 0
    target = math.log(perplexity)
    n = len(d)
    log_lo = np.full(n, -np.inf)
    log_hi = np.full(n, np.inf)
    scale = d.mean(axis=1)
    log_beta = -np.log(np.where(scale > 0, scale, 1.0))
    for _ in range(_SEARCH_STEPS):
        beta = np.exp(log_beta)[:, None]
        w = np.exp(-d * beta)
        total = w.sum(axis=1)
        entropy = np.log(total) + beta[:, 0] * (d * w).sum(axis=1) / total
        gap = entropy - target
        if np.all(np.abs(gap) < _SEARCH_TOL):
            break
        wider = gap > 0  # entropy too high: sharpen the kernel
        log_lo = np.where(wider, log_beta, log_lo)
        log_hi = np.where(wider, log_hi, log_beta)
        log_beta = np.where(
            np.isinf(log_hi), log_beta + 1.0,
            np.where(np.isinf(log_lo), log_beta - 1.0, (log_lo + log_hi) / 2),
        )
    return np.exp(log_beta)


def conditional_affinities(sq_distances, perplexity):
    """``p_{j|i}`` over each row's neighbours, rows summing to 1 (float32)."""
    out = np.empty(sq_distances.shape, np.float32)
    for start in range(0, len(sq_distances), _SEARCH_ROWS):
        d = sq_distances[start : start + _SEARCH_ROWS].astype(np.float64)
        beta = conditional_bandwidths(d, perplexity)
        w = np.exp(-(d - d[:, :1]) * beta[:, None])
        out[start : start + _SEARCH_ROWS] = w / w.sum(axis=1, keepdims=True)
    return out


def tsne_affinities(X, perplexity, n_jobs=None):
    """Symmetric sparse t-SNE affinities ``P`` of the rows of ``X`` (sum 1).

    ``X`` is anything :class:`sklearn.neighbors.NearestNeighbors` takes
    (an array, a memmap, a CSR matrix). Memory: the ``n x k`` neighbour
    indices and distances, then ``P`` with at most ``2 n k`` stored values.
    """
    from sklearn.neighbors import NearestNeighbors

    n = X.shape[0]
    k = n_neighbors_for(perplexity, n)
    nn = NearestNeighbors(n_neighbors=k, n_jobs=n_jobs).fit(X)
    distances, neighbors = nn.kneighbors()  # each row without itself
    del nn
    cond = conditional_affinities(np.square(distances, dtype=np.float64), perplexity)
    del distances
    indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
    P = sp.csr_matrix((cond.ravel(), neighbors.ravel(), indptr), shape=(n, n))
    P = (P + P.T).tocsr()
    P.data /= np.float32(2 * n)
    P.sum_duplicates()
    return P


class EdgeBatches(keras.utils.PyDataset):
    """Batches of ``2 B`` rows: the head then the tail of each of ``B`` edges
    of ``P``, edge after edge, so that a multi-device strategy's equal parts
    of a batch hold whole edges.

    Edges are drawn with probability ``p_ij`` (one draw of every batch of an
    epoch at the epoch's start, from a seeded generator). The targets are the
    exaggeration of each row's edge (for :class:`TSNEBatchLoss`) and, with
    ``reconstruct``, the rows themselves. ``x`` may be an array or
    :class:`skae._rows.LazyRows` (only the batch's rows are read).
    """

    def __init__(self, x, P, batch_size, steps, seed=None, exaggeration=1.0,
                 exaggeration_epochs=0, reconstruct=False):
        super().__init__()
        self.x = x
        self.indptr = P.indptr
        self.indices = P.indices
        self.cumulative = np.cumsum(P.data, dtype=np.float64)
        self.batch_size = int(batch_size)
        self.steps = int(steps)
        self.exaggeration = float(exaggeration)
        self.exaggeration_epochs = int(exaggeration_epochs)
        self.reconstruct = reconstruct
        self._rng = np.random.RandomState(seed)
        self._epoch = 0
        self._draw()

    def _draw(self):
        u = self._rng.uniform(0, self.cumulative[-1], self.steps * self.batch_size)
        pos = np.minimum(np.searchsorted(self.cumulative, u, side="right"),
                         len(self.cumulative) - 1)
        heads = np.searchsorted(self.indptr, pos, side="right") - 1
        self._edges = np.stack([heads, self.indices[pos]]).reshape(
            2, self.steps, self.batch_size)

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        rows = self._edges[:, index].T.ravel()  # head, tail, head, tail...
        if isinstance(self.x, np.ndarray):
            xb = self.x[rows]
        else:  # lazy rows come back sorted: read each once, then reorder
            unique, inverse = np.unique(rows, return_inverse=True)
            xb = np.asarray(self.x[unique]).reshape(len(unique), -1)[inverse]
        xb = np.asarray(xb, dtype="float32").reshape(len(rows), -1)
        factor = (self.exaggeration if self._epoch < self.exaggeration_epochs
                  else 1.0)
        yb = np.full((len(rows), 1), factor, np.float32)
        return (xb, (yb, xb)) if self.reconstruct else (xb, yb)

    def on_epoch_end(self):
        self._epoch += 1
        self._draw()


@keras.saving.register_keras_serializable(package="skae")
class TSNEBatchLoss(keras.losses.Loss):
    """t-SNE's KL divergence estimated on a batch of edges (up to a constant).

    ``y_pred`` holds the maps of ``2 B`` rows: the head then the tail of each
    of ``B`` edges drawn with probability ``p_ij``. ``y_true`` holds the
    exaggeration of the attraction term for each row (its mean is used).
    Returns ``exaggeration * mean_e -log w(h_e, t_e) + log mean_{e != f}
    w(h_e, t_f)`` over the heads ``h`` and tails ``t`` (``B`` at least 2),
    with the kernel ``w = (1 + |y_k - y_l|^2 / dof)^(-dof)``: the Cauchy
    kernel of t-SNE for ``dof=1``, heavier-tailed below 1 (Kobak et al.,
    "Heavy-tailed kernels reveal a finer cluster structure in t-SNE
    visualisations", 2019).
    """

    def __init__(self, dof=1.0, name="tsne_batch_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        if not dof > 0:
            raise ValueError(f"dof must be positive, got {dof}.")
        self.dof = float(dof)

    def _neg_log_kernel(self, sq_distances):
        """``-log w``: ``dof * log(1 + d^2 / dof)``."""
        return self.dof * ops.log1p(sq_distances / self.dof)

    def call(self, y_true, y_pred):
        y_pred = ops.cast(y_pred, "float32")
        m = ops.shape(y_pred)[0]
        b = m // 2
        pairs = ops.reshape(y_pred, (b, 2, -1))
        heads, tails = pairs[:, 0], pairs[:, 1]
        attraction = ops.mean(
            self._neg_log_kernel(ops.sum(ops.square(heads - tails), axis=1)))
        # Z from the pairs of one edge's head and another's tail, independent
        # draws: a quarter of the batch's pairs, which made fits 1.4 to 1.9
        # times as fast on one core, maps within half a point (BENCHMARKS.md).
        w = ops.exp(-self._neg_log_kernel(pairwise_sq_distances(heads, tails)))
        bf = ops.cast(b, "float32")
        z = (ops.sum(w) - ops.sum(ops.diagonal(w))) / (bf * (bf - 1.0))
        exaggeration = ops.mean(ops.cast(y_true, "float32"))
        loss = exaggeration * attraction + ops.log(z)
        return ops.zeros((m,), "float32") + loss

    def get_config(self):
        return {"name": self.name, "dof": self.dof}


@keras.saving.register_keras_serializable(package="skae")
class WeightedReconstructionLoss(keras.losses.Loss):
    """``weight`` times a reconstruction loss (binary cross-entropy, MSE or MAE)."""

    def __init__(self, kind="mse", weight=1.0, name="reconstruction_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        if kind not in ("binary_crossentropy", "mse", "mae"):
            raise ValueError(f"unknown reconstruction loss {kind!r}")
        self.kind = kind
        self.weight = float(weight)

    def call(self, y_true, y_pred):
        fn = {"binary_crossentropy": binary_crossentropy,
              "mse": keras.losses.mean_squared_error,
              "mae": keras.losses.mean_absolute_error}[self.kind]
        return self.weight * fn(y_true, y_pred)

    def get_config(self):
        return {"name": self.name, "kind": self.kind, "weight": self.weight}
