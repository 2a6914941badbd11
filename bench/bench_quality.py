"""Representation quality: skae's estimators with default settings against PCA.

Usage::

    python bench/bench_quality.py [--data mnist,digits] [--sizes 2,8,32]
        [--models dense,conv,vae] [--out bench/results/quality.md]

For each data set, code size and estimator (only ``n_components`` set, every
other parameter at its default) and for PCA of the same size, side by side in
one run:

* test MSE: mean squared reconstruction error per pixel of the test images
  (pixels in [0, 1]), ``inverse_transform(transform(X_test))``;
* linear probe: accuracy on the test codes of a ``LogisticRegression`` trained
  on the (standardised) training codes;
* 5-NN: accuracy on the test codes of a 5-nearest-neighbour classifier of the
  training codes;
* t-SNE 5-NN and trustworthiness: ``sklearn.manifold.TSNE`` of the codes of
  (up to) 3,000 test images; the 5-fold cross-validated 5-NN accuracy in that
  2-D map, and ``sklearn.manifold.trustworthiness`` of the map against the
  test pixels (10 neighbours);
* fit seconds on this machine.

``--scaler standard`` runs the same on standardised data (``StandardScaler``
fitted on the training images, as a user's pipeline would): MSE in
standardised units, trustworthiness against the standardised test images. The
table then adds the median over test images of each image's MSE, and "x PCA"
compares those medians: a pixel that is almost always 0 in the training images
has a tiny deviation, so the rare test image that inks it takes a huge
standardised value there, which no model reconstructs and which dominates
the mean. The model ``dense_mse`` is ``DenseAutoencoder(k, loss="mse")``, the
squared error that ``loss="auto"`` replaces with the Huber loss on such data;
``dense_nolinear`` is ``DenseAutoencoder(k, linear_path=False)``, the network
without the linear path started at PCA (the default from 16 values).

``--offset C`` adds ``C`` to every value, training and test, after any
scaling: data far from zero, as PCA takes them without a scaler (a sensor's
baseline, say). Errors and distances do not move with it, so every figure
compares with the same run without it. ``--multiply M`` multiplies every
value by ``M`` first: the same data in other units (``255``: pixel bytes,
``16``: the digits' raw counts); errors are then in those units, squared.

MNIST: ``../shared/data/mnist.npz`` (22,699 training, 10,000 test images), or
the file named by ``SKAE_MNIST``. Digits: scikit-learn's bundled 8x8 digits,
the tour's split (75% training, 25% test, stratified, seed 0). No parameter was
chosen on these test sets: the defaults were picked on validation splits of the
training parts.
"""

import argparse
import json

import numpy as np
from _common import Timer, digits_flat, machine, mnist_flat
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import TSNE, trustworthiness
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import ConvAutoencoder, DenseAutoencoder, VariationalAutoencoder

ESTIMATORS = {
    "PCA": lambda k, seed: PCA(k, random_state=seed),
    "dense": lambda k, seed: DenseAutoencoder(k, random_state=seed),
    "dense_mse": lambda k, seed: DenseAutoencoder(k, loss="mse", random_state=seed),
    "dense_nolinear": lambda k, seed: DenseAutoencoder(k, linear_path=False,
                                                       random_state=seed),
    "conv": lambda k, seed: ConvAutoencoder(k, random_state=seed),
    "vae": lambda k, seed: VariationalAutoencoder(k, random_state=seed),
}
N_TSNE = 3000


def load(name, scaler="none"):
    """(X_train, y_train, X_test, y_test), flat float32 rows in [0, 1], or
    standardised with the training rows' means and deviations."""
    if scaler == "standard":
        X_train, y_train, X_test, y_test = load(name)
        sc = StandardScaler().fit(X_train)
        return (sc.transform(X_train).astype(np.float32), y_train,
                sc.transform(X_test).astype(np.float32), y_test)
    if name == "mnist":
        xtr, ytr, xte, yte = mnist_flat()
        return xtr.astype(np.float32), ytr, xte.astype(np.float32), yte
    return digits_flat()


def code_quality(C_train, y_train, C_test, y_test, X_test, seed):
    """Probe, 5-NN, and the t-SNE map's 5-NN accuracy and trustworthiness."""
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    probe_acc = probe.fit(C_train, y_train).score(C_test, y_test)
    knn_acc = KNeighborsClassifier(5).fit(C_train, y_train).score(C_test, y_test)
    n = min(N_TSNE, len(C_test))
    emb = TSNE(2, init="pca", random_state=seed).fit_transform(C_test[:n])
    tsne_knn = cross_val_score(KNeighborsClassifier(5), emb, y_test[:n], cv=5).mean()
    trust = trustworthiness(X_test[:n], emb, n_neighbors=10)
    return dict(probe=probe_acc, knn=knn_acc, tsne_knn=float(tsne_knn),
                trust=float(trust))


def evaluate(model, k, data, seed):
    X_train, y_train, X_test, y_test = data
    est = ESTIMATORS[model](k, seed)
    with Timer() as t:
        est.fit(X_train)
    C_train, C_test = est.transform(X_train), est.transform(X_test)
    R = np.asarray(est.inverse_transform(C_test)).reshape(len(X_test), -1)
    per_image = np.mean((X_test.astype(np.float64) - R) ** 2, axis=1)
    row = dict(model=model, k=k, mse=float(per_image.mean()),
               median_mse=float(np.median(per_image)), seconds=t.seconds,
               epochs=getattr(est, "n_iter_", None))
    row.update(code_quality(C_train, y_train, C_test, y_test, X_test, seed))
    return row


def table(rows, median=False):
    """Markdown table of ``rows``; ``median`` adds the median per-image MSE."""
    extra = " median image MSE |" if median else ""
    ratio_head = " median x PCA |" if median else " x PCA |"
    lines = ["| code size | model | test MSE |" + extra + ratio_head + " linear probe | 5-NN | "
             "t-SNE 5-NN | trustworthiness | epochs | fit (s) |",
             "|---:|---|---:|" + "---:|" * median + "---:|---:|---:|---:|---:|---:|---:|"]
    pca = {r["k"]: r for r in rows if r["model"] == "PCA"}
    key = "median_mse" if median else "mse"
    for r in sorted(rows, key=lambda r: (r["k"], r["model"] != "PCA")):
        ratio = r[key] / pca[r["k"]][key] if r["k"] in pca else float("nan")
        cell = f" {r['median_mse']:.4f} |" if median else ""
        lines.append(
            f"| {r['k']} | {r['model']} | {r['mse']:.4f} |{cell} {ratio:.2f} | "
            f"{r['probe']:.4f} | {r['knn']:.4f} | {r['tsne_knn']:.4f} | "
            f"{r['trust']:.4f} | {r['epochs'] or '-'} | {r['seconds']:.1f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="mnist,digits")
    parser.add_argument("--sizes", default="2,8,32")
    parser.add_argument("--models", default="dense,conv,vae")
    parser.add_argument("--scaler", choices=("none", "standard"), default="none")
    parser.add_argument("--offset", type=float, default=0.0,
                        help="add this to every value (data far from zero)")
    parser.add_argument("--multiply", type=float, default=1.0,
                        help="multiply every value by this first (other units)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--out", default=None, help="write a Markdown report here")
    args = parser.parse_args()
    sizes = [int(k) for k in args.sizes.split(",")]
    models = ["PCA"] + [m for m in args.models.split(",") if m]
    report = [f"Machine: {machine()}.", ""]
    for name in args.data.split(","):
        data = load(name, args.scaler)
        if args.offset or args.multiply != 1:
            m, c = np.float32(args.multiply), np.float32(args.offset)
            data = (data[0] * m + c, data[1], data[2] * m + c, data[3])
        rows = []
        for k in sizes:
            for model in models:
                rows.append(evaluate(model, k, data, args.random_state))
                print(json.dumps(dict(data=name, **rows[-1])), flush=True)
        scaled = ", standardised" if args.scaler == "standard" else ""
        shifted = (f", times {args.multiply:g}" if args.multiply != 1 else "") + (
            f", plus {args.offset:g}" if args.offset else "")
        report += [f"### {name} ({len(data[0])} training, {len(data[2])} test "
                   f"images{scaled}{shifted})", "", table(rows, median=bool(scaled)), ""]
        print(report[-2], flush=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(report))


if __name__ == "__main__":
    main()
