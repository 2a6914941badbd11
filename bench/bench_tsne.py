"""Parametric t-SNE on MNIST next to scikit-learn's TSNE, openTSNE and UMAP.

Usage: python bench/bench_tsne.py [--peers sklearn,opentsne,umap]
       [--n-train 22699] [--n-test 10000] [--out bench/results/tsne.md]
       [--data digits]   (scikit-learn's 8x8 digits, split as the tour)
       python bench/bench_tsne.py --rows 100000   (time and memory of one fit)

Fits on the MNIST training images (scaled to [0, 1]) and embeds the test
images: ``ParametricTSNE().fit(train).transform(test)``, openTSNE's
``TSNE().fit(train).transform(test)`` and umap-learn's
``UMAP().fit(train).transform(test)``; scikit-learn's ``TSNE`` has no
``transform``, so it runs ``fit_transform`` on the test images alone. All with
their defaults (seeded). Scores of the test map: 5-NN accuracy (5-fold CV)
and trustworthiness (10 neighbours, on the first 2,000 test images). The
transform time of 10,000 rows is compared with ``PCA(2).transform``.
"""

import argparse
import json

import numpy as np
from _common import Timer, digits_flat, machine, mnist_flat
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skae import ParametricTSNE

N_TRUST = 2000


def scores(X_test, E, y_test):
    knn = cross_val_score(KNeighborsClassifier(5), E, y_test, cv=5).mean()
    trust = trustworthiness(X_test[:N_TRUST], E[:N_TRUST], n_neighbors=10)
    return float(knn), float(trust)


def best_time(func, X, repeats=5):
    """Fastest of ``repeats`` timed calls of ``func(X)``."""
    times = []
    for _ in range(repeats):
        with Timer() as t:
            func(X)
        times.append(t.seconds)
    return min(times)


def run_skae(xtr, xte, seed):
    est = ParametricTSNE(random_state=seed)
    with Timer() as fit:
        est.fit(xtr)
    with Timer() as tr:
        E = est.transform(xte)
    return est, E, fit.seconds, tr.seconds


def run_peer(name, xtr, xte, seed):
    """(test map, fit seconds, transform seconds) of a peer, or None."""
    if name == "sklearn":
        from sklearn.manifold import TSNE

        with Timer() as fit:
            E = TSNE(random_state=seed).fit_transform(xte)
        return E, fit.seconds, None
    if name == "opentsne":
        import openTSNE

        with Timer() as fit:
            emb = openTSNE.TSNE(random_state=seed).fit(xtr)
        with Timer() as tr:
            E = np.asarray(emb.transform(xte))
        return E, fit.seconds, tr.seconds
    if name == "umap":
        import umap

        with Timer() as fit:
            model = umap.UMAP(random_state=seed).fit(xtr)
        with Timer() as tr:
            E = model.transform(xte)
        return E, fit.seconds, tr.seconds
    raise ValueError(f"unknown peer {name!r}")


def table(rows, pca_seconds):
    lines = [
        "| method | fit s | transform s (test) | transform / PCA(2) | "
        "test 5-NN acc | trustworthiness |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        tr = "-" if r["transform_s"] is None else f"{r['transform_s']:.3f}"
        ratio = ("-" if r["transform_s"] is None
                 else f"{r['transform_s'] / pca_seconds:.0f}x")
        lines.append(f"| {r['method']} | {r['fit_s']:.1f} | {tr} | {ratio} | "
                     f"{r['knn']:.3f} | {r['trust']:.3f} |")
    lines.append(f"| PCA(2) | - | {pca_seconds:.4f} | 1x | - | - |")
    return "\n".join(lines)


def scale_run(n_rows, seed):
    """Fit on ``n_rows`` MNIST-like rows (all MNIST images, repeated with
    uniform jitter of 0.05 up to ``n_rows``); report time and peak memory."""
    import resource

    xtr, _, xte, _ = mnist_flat()
    base = np.concatenate([xtr, xte])
    rng = np.random.RandomState(seed)
    X = base[np.arange(n_rows) % len(base)]
    X += rng.uniform(0, 0.05, X.shape).astype(np.float32)
    np.clip(X, 0, 1, out=X)
    est = ParametricTSNE(random_state=seed)
    with Timer() as fit:
        est.fit(X)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    text = (f"ParametricTSNE().fit on {n_rows} x {X.shape[1]} float32 rows "
            f"({X.nbytes / 2**30:.2f} GiB): {fit.seconds:.0f} s, peak resident "
            f"memory {peak:.2f} GiB, {est.n_iter_} epochs.\n\nMachine: {machine()}.\n")
    print(text)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None,
                        help="instead: time one fit on this many MNIST-like rows")
    parser.add_argument("--data", choices=["mnist", "digits"], default="mnist",
                        help="MNIST, or scikit-learn's 8x8 digits split as the tour")
    parser.add_argument("--peers", default="sklearn,opentsne,umap")
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--n-test", type=int, default=None)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--out", default=None, help="write a Markdown table here")
    args = parser.parse_args()
    if args.rows:
        text = scale_run(args.rows, args.random_state)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text)
        return

    xtr, _, xte, yte = mnist_flat() if args.data == "mnist" else digits_flat()
    xtr, xte, yte = xtr[:args.n_train], xte[:args.n_test], yte[:args.n_test]
    pca = PCA(2).fit(xtr)
    pca_seconds = best_time(pca.transform, xte)

    est, E, fit_s, tr_s = run_skae(xtr, xte, args.random_state)
    tr_best = best_time(est.transform, xte)
    rows = [dict(method="skae ParametricTSNE", fit_s=fit_s, transform_s=tr_best,
                 first_transform_s=tr_s, epochs=est.n_iter_)]
    rows[-1]["knn"], rows[-1]["trust"] = scores(xte, E, yte)
    print(json.dumps(rows[-1]), flush=True)
    for name in filter(None, args.peers.split(",")):
        E, fit_s, tr_s = run_peer(name, xtr, xte, args.random_state)
        rows.append(dict(method=name, fit_s=fit_s, transform_s=tr_s))
        rows[-1]["knn"], rows[-1]["trust"] = scores(xte, E, yte)
        print(json.dumps(rows[-1]), flush=True)
    pca_e = pca.transform(xte)
    knn, trust = scores(xte, pca_e, yte)
    text = table(rows, pca_seconds)
    text += (f"\n\nPCA(2) map: 5-NN {knn:.3f}, trustworthiness {trust:.3f}. "
             f"{args.data}: train {len(xtr)} images, test {len(xte)}.\n\nMachine: {machine()}.\n")
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
