"""
================
Deep autoencoder
================

The tutorial's deep model stacks ``Dense`` layers of 128, 64 and 32 units in
the encoder and mirrors them in the decoder. In skae the hidden layers are
``hidden_layer_sizes``; the decoder mirrors them. We hold out a validation
fraction to watch the training and validation losses per epoch, the view the
tutorial gets from TensorBoard.
"""

# %%
from sklearn.model_selection import train_test_split

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()
X = images.reshape(len(images), -1)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

deep = DenseAutoencoder(
    n_components=16,
    hidden_layer_sizes=(128, 64),
    linear_path=False,
    epochs=40,
    batch_size=64,
    validation_fraction=0.1,
    random_state=0,
).fit(X_train)
shallow = DenseAutoencoder(n_components=16, hidden_layer_sizes=(), linear_path=False,
                           epochs=40, batch_size=64, random_state=0).fit(X_train)
print(f"shallow test score: {shallow.score(X_test):.4f}")
print(f"deep test score:    {deep.score(X_test):.4f}")
print("encoder layers:", [layer.name for layer in deep.encoder_.layers])

# %%
# Training and validation loss per epoch, from ``history_``.
from skae.plotting import LossCurveDisplay

LossCurveDisplay.from_estimator(deep, title="deep autoencoder")

# %%
from skae.plotting import ReconstructionDisplay

ReconstructionDisplay.from_estimator(deep, X_test, n_images=10)
