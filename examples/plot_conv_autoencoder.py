"""
=========================
Convolutional autoencoder
=========================

"In practical settings, autoencoders applied to images are always
convolutional autoencoders", says the tutorial. Its encoder stacks
``Conv2D`` and ``MaxPooling2D`` layers, its decoder ``Conv2D`` and
``UpSampling2D`` layers, and its code is the last feature map. On 28x28 MNIST
that is ``ConvAutoencoder(None, image_shape=(28, 28, 1), filters=(16, 8, 8),
pooling="max")``; on the 8x8 digits two poolings (``filters=(16, 8)``) take
each image to a (2, 2, 8) code of 32 values. (skae's default,
``ConvAutoencoder(32)``, uses strided convolutions and a dense code of 32
values instead.)
"""

# %%
# Images can be passed as ``(n, height, width)`` arrays;
# ``inverse_transform`` and ``reconstruct`` then return images too.
from sklearn.model_selection import train_test_split

from skae import ConvAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()
images_train, images_test = train_test_split(images, test_size=0.25, random_state=0)

conv = ConvAutoencoder(
    None, image_shape=(8, 8, 1), filters=(16, 8), pooling="max", epochs=30,
    batch_size=64, random_state=0,
).fit(images_train)
print("code shape:", conv.code_shape_)
print("codes:", conv.transform(images_test).shape)
print("reconstructions:", conv.reconstruct(images_test).shape)
print(f"test score: {conv.score(images_test):.4f}")

# %%
from skae.plotting import ReconstructionDisplay

ReconstructionDisplay.from_estimator(conv, images_test, n_images=10)

# %%
# The tutorial shows the (4, 4, 8) MNIST codes as 4x32 grey images; here the
# (2, 2, 8) codes are shown the same way, as 2x16 images.
from skae.plotting import CodeDisplay

CodeDisplay.from_estimator(conv, images_test, n_images=10)
