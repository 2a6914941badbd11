"""
=======================
Variational autoencoder
=======================

The tutorial's VAE encodes each digit to a Gaussian over a 2-D latent space
(``latent_dim = 2``, one hidden layer of 64 units) and is trained on the sum of
a reconstruction term and a KL divergence to the standard normal prior. skae's
:class:`~skae.VariationalAutoencoder` uses the standard reparameterisation
(log-variance, unit-variance noise) where the tutorial's code draws noise with
``stddev=0.1``; see the user guide. Its latent space therefore fits in the
prior's +-3, and samples from the prior decode to digits.
"""

# %%
from sklearn.model_selection import train_test_split

from skae import VariationalAutoencoder
from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)
X_train, X_test, y_train, y_test = train_test_split(
    X, target, test_size=0.25, random_state=0
)

vae = VariationalAutoencoder(
    n_components=2, hidden_layer_sizes=(64,), epochs=60, batch_size=32, random_state=0
).fit(X_train)
print(f"negative ELBO on the training set, last epoch: {vae.history_['loss'][-1]:.2f} nats")
print(f"mean ELBO of the test digits: {vae.score(X_test):.2f} nats")

# %%
# The posterior means of the test digits (``transform``) on the latent
# plane, coloured by digit: each cluster is a class.
from skae.plotting import LatentSpaceDisplay

LatentSpaceDisplay.from_estimator(vae, X_test, y_test, title="VAE latent plane")

# %%
# The manifold: decode a regular 15x15 grid of latent points in [-3, 3]^2.
from skae.plotting import ManifoldDisplay

ManifoldDisplay.from_estimator(vae, n=15, latent_range=(-3, 3), figsize=(6, 6))

# %%
# New digits drawn from the prior with ``sample``.
import matplotlib.pyplot as plt

samples = vae.sample(10, random_state=0).reshape(-1, 8, 8)
fig, axes = plt.subplots(1, 10, figsize=(10, 1.3))
for ax, image in zip(axes, samples):
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_axis_off()
fig.suptitle("samples from the prior")
