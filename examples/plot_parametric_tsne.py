"""
=======================================
A t-SNE map that places new digits
=======================================

:class:`~sklearn.manifold.TSNE` has no ``transform``: it cannot place a
sample it was not fitted on. :class:`~skae.ParametricTSNE` trains a network
on the t-SNE objective, so new samples land on the same map through
``transform``. We fit on two thirds of the 8x8 digits and place the rest.
"""

# %%
# Fit on the first 1,200 digits, place the other 597.
from sklearn.decomposition import PCA
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skae import ParametricTSNE
from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)
X_train, y_train, X_new, y_new = X[:1200], target[:1200], X[1200:], target[1200:]

tsne = ParametricTSNE(random_state=0, epochs=10).fit(X_train)
map_new = tsne.transform(X_new)
map_pca = PCA(2).fit(X_train).transform(X_new)

knn = KNeighborsClassifier(5)
print("5-NN accuracy of the new digits' map:",
      f"ParametricTSNE {cross_val_score(knn, map_new, y_new, cv=5).mean():.3f},",
      f"PCA(2) {cross_val_score(knn, map_pca, y_new, cv=5).mean():.3f}")

# %%
# :class:`~skae.plotting.LatentSpaceDisplay` draws the map coloured by label:
# the training digits and, on the same map, the new ones.
import matplotlib.pyplot as plt

from skae.plotting import LatentSpaceDisplay

fig, (ax_train, ax_new) = plt.subplots(1, 2, figsize=(11, 5))
LatentSpaceDisplay.from_estimator(tsne, X_train, y_train, ax=ax_train,
                                  title="training digits (fit)")
LatentSpaceDisplay.from_estimator(tsne, X_new, y_new, ax=ax_new,
                                  title="new digits (transform)")
fig.tight_layout()
plt.show()
