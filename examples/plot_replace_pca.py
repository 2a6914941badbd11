"""
===============================================
Replacing PCA with an autoencoder in a pipeline
===============================================

An autoencoder is a transformer like :class:`~sklearn.decomposition.PCA`, so
it can take PCA's place in an existing pipeline. Here a pipeline scales the
digits, reduces them to 16 features and classifies them with a logistic
regression; we swap PCA for a :class:`~skae.DenseAutoencoder` with
``set_params`` and compare held-out accuracy and fit time.

Do not expect the autoencoder to win: on small, simple data PCA is often as
good and much faster. Check on your own data before switching.
"""

# %%
from time import perf_counter

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import DenseAutoencoder

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

pipe = Pipeline([
    ("scale", MinMaxScaler()),
    ("reduce", PCA(n_components=16, random_state=0)),
    ("classify", LogisticRegression(max_iter=2000)),
])

results = {}
for name, reducer in [
    ("PCA", PCA(n_components=16, random_state=0)),
    ("DenseAutoencoder", DenseAutoencoder(n_components=16, code_activation="linear",
                                          epochs=40, batch_size=64, random_state=0)),
]:
    pipe.set_params(reduce=reducer)
    start = perf_counter()
    pipe.fit(X_train, y_train)
    results[name] = (pipe.score(X_test, y_test), perf_counter() - start)
    print(f"{name:>16}: test accuracy {results[name][0]:.3f}, fit {results[name][1]:.1f} s")

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3))
ax.barh(list(results), [acc for acc, _ in results.values()])
ax.set_xlim(0.8, 1.0)
ax.set_xlabel("test accuracy")
ax.set_title("16 features, then logistic regression")
fig.tight_layout()

# %%
# The autoencoder is still an autoencoder inside the pipeline: reconstruct
# scaled test digits with the fitted step.
from skae.plotting import ReconstructionDisplay

scaled_test = pipe.named_steps["scale"].transform(X_test)
ReconstructionDisplay.from_estimator(pipe.named_steps["reduce"], scaled_test, n_images=10)
