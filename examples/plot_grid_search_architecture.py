"""
=======================================================
Choosing the architecture with a grid search
=======================================================

``score`` is minus the mean reconstruction error (here the binary
cross-entropy per pixel, as the data is in [0, 1]), higher is better, so
:class:`~sklearn.model_selection.GridSearchCV` can choose an autoencoder's
hyper-parameters with no scorer argument: it keeps the one that reconstructs
held-out folds best.

That comparison is fair only at a fixed code size. A wider code carries more
of the image, so it always reconstructs at least as well, and a search over
``n_components`` by reconstruction error alone always picks the largest code.
Fix the code size for what the code is for (a budget, a plot, a downstream
classifier's accuracy) and search the rest: here the hidden layers of a
16-value dense autoencoder.
"""

# %%
from sklearn.model_selection import GridSearchCV

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, _ = load_digits_images()
X = images.reshape(len(images), -1)

architectures = [(), (64,), (128, 64)]
search = GridSearchCV(
    DenseAutoencoder(16, epochs=30, batch_size=64, random_state=0),
    param_grid={"hidden_layer_sizes": architectures},
    cv=2,
    refit=False,  # we only want the scores, not a final model
)
search.fit(X)
print("best hidden layers:", search.best_params_["hidden_layer_sizes"])
for layers, mean, std in zip(
    search.cv_results_["param_hidden_layer_sizes"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
):
    print(f"hidden_layer_sizes={str(layers):<9}: score {mean:.4f} +- {std:.4f}")

# %%
import matplotlib.pyplot as plt

labels = [str(layers) for layers in search.cv_results_["param_hidden_layer_sizes"]]
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.errorbar(
    range(len(labels)),
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
    marker="o",
    linestyle="none",
)
ax.set_xticks(range(len(labels)), labels)
ax.set_xlabel("hidden_layer_sizes (code size fixed at 16)")
ax.set_ylabel("score (minus binary cross-entropy per pixel)")
ax.set_title("2-fold cross-validated score")
fig.tight_layout()
