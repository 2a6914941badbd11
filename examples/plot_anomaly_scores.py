"""
============================================
Anomaly scores from the reconstruction error
============================================

Autoencoders are data-specific: they reconstruct data like their training
data well, and anything else badly. ``score_samples`` returns minus each
sample's reconstruction error, so low scores flag unusual samples. We train
on digits 0 to 8 only and score held-out digits, including the nines the
model never saw, and some corrupted images.
"""

# %%
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skae import DenseAutoencoder
from skae.datasets import load_digits_images

images, target = load_digits_images()
X = images.reshape(len(images), -1)
X_train, X_test, y_train, y_test = train_test_split(X, target, test_size=0.3, random_state=0)

normal = y_train != 9
ae = DenseAutoencoder(n_components=8, epochs=40, batch_size=64, random_state=0)
ae.fit(X_train[normal])

# %%
# Corrupted images: test digits with their pixels shuffled.
rng = np.random.default_rng(0)
corrupted = rng.permuted(X_test[:50], axis=1)

scores_normal = ae.score_samples(X_test[y_test != 9])
scores_nines = ae.score_samples(X_test[y_test == 9])
scores_corrupted = ae.score_samples(corrupted)
for name, s in [("digits 0-8", scores_normal), ("nines (unseen)", scores_nines),
                ("shuffled pixels", scores_corrupted)]:
    print(f"{name:>16}: median score {np.median(s):.3f}")

# %%
# How well the score separates each kind of outlier from the held-out
# normal digits (ROC AUC; 0.5 is chance, 1 is perfect). Unseen nines are
# much harder to spot than shuffled pixels: they still look like digits.
for name, s in [("nines", scores_nines), ("shuffled pixels", scores_corrupted)]:
    labels = np.r_[np.zeros(len(scores_normal)), np.ones(len(s))]
    auc = roc_auc_score(labels, -np.r_[scores_normal, s])
    print(f"ROC AUC, digits 0-8 vs {name}: {auc:.3f}")

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 4))
bins = np.linspace(min(scores_corrupted.min(), scores_normal.min()), 0, 40)
for name, s in [("digits 0-8", scores_normal), ("nines (unseen)", scores_nines),
                ("shuffled pixels", scores_corrupted)]:
    ax.hist(s, bins=bins, alpha=0.5, density=True, label=name)
ax.set_xlabel("score_samples (minus reconstruction error)")
ax.set_ylabel("density")
ax.legend()

# %%
# The lowest-scoring held-out digits, with their reconstructions.
from skae.plotting import ReconstructionDisplay

worst = np.argsort(ae.score_samples(X_test))[:8]
ReconstructionDisplay.from_estimator(ae, X_test[worst], n_images=8)
