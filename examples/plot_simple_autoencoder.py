"""
========================
The simplest autoencoder
========================

The first model of the Keras tutorial: one ``Dense`` layer to a code of
``n_components`` values (ReLU), one ``Dense`` layer back to the pixels
(sigmoid), trained with binary cross-entropy because the pixels lie in
[0, 1]. In skae that is ``DenseAutoencoder(n_components,
hidden_layer_sizes=(), code_activation="relu", linear_path=False)`` (skae's
default adds two hidden layers, a linear code and a linear path started at
PCA's solution).

The tutorial compresses 784 MNIST pixels to 32 values; the bundled digits
have 64 pixels, so we compress them to 16.
"""

# %%
# Data: 8x8 digits scaled to [0, 1], flattened to rows of 64 pixels.
from sklearn.model_selection import train_test_split

from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

# %%
# Fit the autoencoder. ``loss="auto"`` picks binary cross-entropy with a
# sigmoid output, as in the tutorial, because the data lies in [0, 1].
from skae import DenseAutoencoder

ae = DenseAutoencoder(n_components=16, hidden_layer_sizes=(), code_activation="relu",
                      linear_path=False, epochs=40, batch_size=64, random_state=0)
ae.fit(X_train)
print(f"loss: {ae.loss_}, code size: {ae.transform(X_test).shape[1]}")
print(f"test score (minus the mean binary cross-entropy): {ae.score(X_test):.4f}")

# %%
# Originals (top) and their reconstructions (bottom), on test digits: the
# model is lossy, and the reconstructions are blurred copies.
from skae.plotting import ReconstructionDisplay

ReconstructionDisplay.from_estimator(ae, X_test, n_images=10)

# %%
# The codes themselves: 16 values per digit, shown as small images. With a
# ReLU code layer some units stay at zero for a given digit.
from skae.plotting import CodeDisplay

CodeDisplay.from_estimator(ae, X_test, n_images=10, code_shape=(4, 4))
