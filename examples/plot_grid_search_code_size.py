"""
=========================================
Choosing the code size with a grid search
=========================================

``score`` is minus the mean reconstruction error, higher is better, so
:class:`~sklearn.model_selection.GridSearchCV` can choose an autoencoder's
hyper-parameters with no scorer argument: it keeps the one that reconstructs
held-out folds best. Here we search the code size ``n_components``.

A larger code always reconstructs better, so the search mostly tells how much
each extra dimension buys; pick the smallest code past which the curve
flattens, or search for what the code is used for (e.g. a classifier's
accuracy in a pipeline).
"""

# %%
from sklearn.model_selection import GridSearchCV

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()
X = images.reshape(len(images), -1)

search = GridSearchCV(
    DenseAutoencoder(epochs=20, batch_size=64, random_state=0),
    param_grid={"n_components": [2, 8, 32]},
    cv=2,
    refit=False,  # we only want the scores, not a final model
)
search.fit(X)
print("best code size:", search.best_params_["n_components"])
for size, mean, std in zip(
    search.cv_results_["param_n_components"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
):
    print(f"n_components={size:>2}: score {mean:.4f} +- {std:.4f}")

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar(
    list(search.cv_results_["param_n_components"]),
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
    marker="o",
)
ax.set_xscale("log", base=2)
ax.set_xlabel("n_components (code size)")
ax.set_ylabel("score (minus binary cross-entropy)")
ax.set_title("2-fold cross-validated score")
fig.tight_layout()
