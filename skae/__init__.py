"""skae: Keras autoencoders as scikit-learn transformers.

``import skae`` is cheap: Keras and its backend load on the first fit,
transform or unpickle, not here.
"""

from ._base import BaseAutoencoder
from ._dense import DenseAutoencoder

__version__ = "0.1.0"

__all__ = [
    "BaseAutoencoder",
    "DenseAutoencoder",
]
