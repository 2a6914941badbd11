"""Loading ``.keras`` files written from skae's networks."""

from ._backend import get_keras


def load_model(filepath, *, safe_mode=True, compile=True):
    """Load a Keras model saved from a skae estimator's network.

    skae's own layers (the training-time input noise, the variational
    autoencoder's sampling and KL layers) are registered with Keras when this
    function runs, so no ``custom_objects`` are needed, and safe mode stays on
    by default: a file carrying a ``Lambda`` layer (arbitrary code) is refused.

    Parameters
    ----------
    filepath : str or path-like
        A ``.keras`` file, e.g. written by ``est.model_.save(path)`` (or the
        ``encoder_`` / ``decoder_`` networks).
    safe_mode : bool, default=True
        Passed to ``keras.saving.load_model``: refuse files that would run
        arbitrary code on loading.
    compile : bool, default=True
        Restore the optimizer and loss too, so training can continue.

    Returns
    -------
    model : keras.Model
        The network (not the scikit-learn estimator: pickle or joblib carry
        that, network included).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from skae import DenseAutoencoder, load_model
    >>> X = load_digits().data[:100] / 16.0
    >>> ae = DenseAutoencoder(4, epochs=1, random_state=0).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "autoencoder.keras")
    >>> ae.model_.save(path)
    >>> model = load_model(path)
    >>> model.predict(X[:2], verbose=0).shape
    (2, 64)
    """
    keras = get_keras()
    return keras.saving.load_model(filepath, safe_mode=safe_mode, compile=compile)
