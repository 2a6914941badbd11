"""
=======================
Autoencoder, then t-SNE
=======================

The tutorial's advice for visualising high-dimensional data: t-SNE works best
on low-dimensional data, so first compress with an autoencoder (to, say, 32
values), then map the codes to the plane with t-SNE. Both are scikit-learn
transformers, so this is one pipeline. We compare it with t-SNE on the raw
pixels.
"""

# %%
# 600 digits keep t-SNE quick.
from sklearn.manifold import TSNE
from sklearn.pipeline import make_pipeline

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)
X_small, y_small = X[:600], target[:600]

pipe = make_pipeline(
    DenseAutoencoder(n_components=32, hidden_layer_sizes=(128,), epochs=60,
                     batch_size=32, random_state=0),
    TSNE(n_components=2, init="pca", random_state=0),
)
embedding = pipe.fit_transform(X_small)
embedding_raw = TSNE(n_components=2, init="pca", random_state=0).fit_transform(X_small)
print("codes:", pipe[0].transform(X_small).shape, "-> embedding:", embedding.shape)

# %%
# :class:`~skae.plotting.LatentSpaceDisplay` draws precomputed 2-D points
# coloured by label. ``LatentSpaceDisplay.from_estimator(pipe[0], X, y,
# method="tsne")`` would do the encoding and the t-SNE in one call.
import matplotlib.pyplot as plt

from skae.plotting import LatentSpaceDisplay

fig, (ax_raw, ax_ae) = plt.subplots(1, 2, figsize=(11, 5))
LatentSpaceDisplay.from_codes(embedding_raw, y_small, ax=ax_raw,
                              title="t-SNE of the 64 pixels")
LatentSpaceDisplay.from_codes(embedding, y_small, ax=ax_ae,
                              title="t-SNE of 32-value autoencoder codes")
