"""Training input pipelines with a seeded, per-epoch shuffle.

Keras' own ``shuffle=True`` draws from a global, unseeded generator; skae
shuffles with the estimator's ``random_state`` instead, so that the same
``random_state`` gives the same model without touching any global seed.
"""

import math

import numpy as np
import keras


class ShuffledBatches(keras.utils.PyDataset):
    """Batches of ``(x, x)`` pairs in an order reshuffled every epoch.

    Works on every backend, on arrays and on :class:`skae._rows.LazyRows`
    (sparse or memory-mapped data): only one batch is gathered into memory at
    a time.
    """

    def __init__(self, x, batch_size, shuffle=True, seed=None, y=None):
        super().__init__()
        self.x = x
        self.y = x if y is None else y
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
        return xb, yb

    def on_epoch_end(self):
        if self.shuffle:
            self._rng.shuffle(self._order)


def make_training_data(x, batch_size, shuffle=True, seed=None):
    """Return what ``Model.fit`` should iterate over for ``x`` -> ``x`` training.

    On the TensorFlow backend an in-memory array becomes a ``tf.data`` pipeline
    (an index shuffle seeded per fit, then a gather per batch), which keeps
    Python out of the training loop. Elsewhere, or for memory-mapped data, a
    :class:`ShuffledBatches` sequence is used, which also reads sparse or
    memory-mapped rows (:class:`skae._rows.LazyRows`) a batch at a time.
    """
    if keras.backend.backend() == "tensorflow" and isinstance(x, np.ndarray):
        import tensorflow as tf

        data = tf.constant(x)
        n = len(x)
        indices = tf.data.Dataset.range(n)
        if shuffle:
            indices = indices.shuffle(
                n, seed=seed, reshuffle_each_iteration=True
            )
        def gather(idx):
            batch = tf.gather(data, idx)
            return batch, batch

        ds = indices.batch(batch_size).map(
            gather,
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
        return ds.prefetch(tf.data.AUTOTUNE)
    return ShuffledBatches(x, batch_size, shuffle=shuffle, seed=seed)
