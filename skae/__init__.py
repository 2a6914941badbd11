"""skae: Keras autoencoders as scikit-learn transformers.

``import skae`` is cheap: Keras and its backend load on the first fit,
transform or unpickle, not here. Plots live in :mod:`skae.plotting` and data
loaders in :mod:`skae.datasets`.
"""

from ._base import BaseAutoencoder
from ._conv import ConvAutoencoder
from ._dense import DenseAutoencoder
from ._saving import load_model
from ._sequence import SequenceAutoencoder
from ._tsne import ParametricTSNE
from ._vae import VariationalAutoencoder

__version__ = "0.1.0"

__all__ = [
    "BaseAutoencoder",
    "ConvAutoencoder",
    "DenseAutoencoder",
    "ParametricTSNE",
    "SequenceAutoencoder",
    "VariationalAutoencoder",
    "load_model",
]
