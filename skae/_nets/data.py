"""Training input pipelines with a seeded, per-epoch shuffle.

Keras' own ``shuffle=True`` draws from a global, unseeded generator; skae
shuffles with the estimator's ``random_state`` instead, so that the same
``random_state`` gives the same model without touching any global seed.
"""

import math

import numpy as np
import keras


def normalise_weights(w):
    """Rescale a batch's sample weights so the weighted loss is their mean.

    Keras divides a weighted loss by the number of entries; with weights of 0
    for padded steps and 1 for real ones, the rescaled loss is the mean over
    the real steps of the batch.
    """
    total = w.sum()
    return w * (w.size / total) if total > 0 else w


class ShuffledBatches(keras.utils.PyDataset):
    """Batches of ``(x, x)`` pairs (``(x, x, weights)`` with ``weights``) in an
    order reshuffled every epoch.

    Works on every backend, on arrays and on :class:`skae._rows.LazyRows`
    (sparse or memory-mapped data): only one batch is gathered into memory at
    a time.
    """

    def __init__(self, x, batch_size, shuffle=True, seed=None, y=None, weights=None):
        super().__init__()
        self.x = x
        self.y = x if y is None else y
        self.weights = weights
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._rng = np.random.RandomState(seed)
        self._order = np.arange(len(x))
        if shuffle:
            self._rng.shuffle(self._order)

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        idx = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        xb = np.asarray(self.x[idx], dtype="float32")
        yb = xb if self.y is self.x else np.asarray(self.y[idx], dtype="float32")
        if self.weights is None:
            return xb, yb
        return xb, yb, normalise_weights(np.asarray(self.weights[idx], dtype="float32"))

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)


def make_training_data(x, batch_size, shuffle=True, seed=None, weights=None):
    """Return what ``Model.fit`` should iterate over for ``x`` -> ``x`` training.

    On the TensorFlow backend an in-memory array becomes a ``tf.data`` pipeline
    (an index shuffle seeded per fit, then a gather per batch), which keeps
    Python out of the training loop. Elsewhere, or for memory-mapped data, a
    :class:`ShuffledBatches` sequence is used, which also reads sparse or
    memory-mapped rows (:class:`skae._rows.LazyRows`) a batch at a time.
    ``weights`` (one per sample, or per sample and step) become per-batch
    normalised sample weights (see :func:`normalise_weights`).
    """
    if keras.backend.backend() == "tensorflow" and isinstance(x, np.ndarray):
        return _tf_pipeline(x, batch_size, shuffle, seed, weights)
    return ShuffledBatches(x, batch_size, shuffle=shuffle, seed=seed, weights=weights)


def _tf_pipeline(x, batch_size, shuffle, seed, weights):
    import tensorflow as tf

    data = tf.constant(x)
    w_all = None if weights is None else tf.constant(weights)
    indices = tf.data.Dataset.range(len(x))
    if shuffle:
        indices = indices.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)

    @tf.autograph.experimental.do_not_convert
    def gather(idx):
        batch = tf.gather(data, idx)
        if w_all is None:
            return batch, batch
        w = tf.gather(w_all, idx)
        size = tf.cast(tf.size(w), w.dtype)
        return batch, batch, tf.math.divide_no_nan(w * size, tf.reduce_sum(w))

    ds = indices.batch(batch_size).map(
        gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
    )
    return ds.prefetch(tf.data.AUTOTUNE)
