"""
=====================
Denoising autoencoder
=====================

The tutorial trains a convolutional autoencoder (32 filters per layer) to map
digits with Gaussian noise (``noise_factor=0.5``, clipped to [0, 1]) to the
clean digits. In skae the noise is a parameter: it is added to the inputs
during training only, with fresh noise each epoch, and
``reconstruct(X_noisy)`` returns the cleaned images.
"""

# %%
import numpy as np
from sklearn.model_selection import train_test_split

from skae import ConvAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()
images_train, images_test = train_test_split(images, test_size=0.25, random_state=0)

denoiser = ConvAutoencoder(
    None,  # the tutorial's: the last feature map is the code
    image_shape=(8, 8, 1),
    filters=(32, 32),
    pooling="max",
    noise_factor=0.5,
    epochs=40,
    batch_size=64,
    random_state=0,
).fit(images_train)

# %%
# Noisy test digits, as in the tutorial: noise, then clip to [0, 1].
rng = np.random.RandomState(0)
noisy_test = np.clip(images_test + 0.5 * rng.normal(size=images_test.shape), 0, 1)
denoised = denoiser.reconstruct(noisy_test)

print(f"mean squared error, noisy vs clean:    {np.mean((noisy_test - images_test) ** 2):.4f}")
print(f"mean squared error, denoised vs clean: {np.mean((denoised - images_test) ** 2):.4f}")

# %%
# Clean digits (top), noisy inputs (middle) and the denoiser's output
# (bottom). ``from_estimator`` uses the estimator's ``noise_factor``.
from skae.plotting import ReconstructionDisplay

ReconstructionDisplay.from_estimator(denoiser, images_test, n_images=10, random_state=0)
