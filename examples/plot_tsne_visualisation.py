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
from sklearn.manifold import TSNE
from sklearn.pipeline import make_pipeline

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)

ae = DenseAutoencoder(n_components=32, hidden_layer_sizes=(128,), epochs=30,
                      batch_size=64, random_state=0)
pipe = make_pipeline(ae, TSNE(n_components=2, init="pca", random_state=0))
embedding = pipe.fit_transform(X)
embedding_raw = TSNE(n_components=2, init="pca", random_state=0).fit_transform(X)
print("embedding:", embedding.shape)

# %%
# :class:`~skae.plotting.LatentSpaceDisplay` draws precomputed 2-D points
# coloured by label.
import matplotlib.pyplot as plt

from skae.plotting import LatentSpaceDisplay

fig, (ax_raw, ax_ae) = plt.subplots(1, 2, figsize=(11, 5))
LatentSpaceDisplay.from_codes(embedding_raw, target, ax=ax_raw, title="t-SNE of the pixels")
LatentSpaceDisplay.from_codes(embedding, target, ax=ax_ae,
                              title="t-SNE of 32-value autoencoder codes")

# %%
# The same in one call: ``method="tsne"`` runs t-SNE on the fitted
# autoencoder's codes.
LatentSpaceDisplay.from_estimator(pipe[0], X, target, method="tsne")
