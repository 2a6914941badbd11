"""Benchmark: SequenceAutoencoder beside PCA (and 1-NN DTW) on sequence data.

Reconstruction tasks (test mean squared error at equal code size, fixed
length, PCA fitted on the flattened sequences):

* ``sines``: noisy sums of 3 sines (1-6 cycles per window, random amplitude
  and phase, N(0, 0.1^2) noise), 64 steps, code 8; also the error against the
  noise-free waves.
* ``sines2``: the sums of two sines a new user tried (1-5 cycles, amplitude
  0.5-2, noise 0.1), 50 steps, code 8.
* ``mnist``: MNIST read row by row, 28 steps of 28 pixels, code 32.

Feature task ``aeon``: on aeon's bundled classification sets (GunPoint,
ArrowHead, BasicMotions, OSULeaf, and the unequal-length
PickupGestureWiimoteZ and JapaneseVowels; ``NAME-cropped``: each series of
NAME cut to a random window of 60 to 100 % of its length, which turns
BasicMotions into an unequal-length multivariate set), the 1-nearest-neighbour accuracy
on the codes of the test series, beside PCA of the same size on the series
resampled to one length (the longest), and beside aeon's 1-NN DTW classifier.
The autoencoder reads unequal-length sets as lists (``channel_axis=0``).
With ``--spectrum`` a second autoencoder column has
``distance_metric="spectrum"`` (its distance term follows the series'
magnitude spectra), with ``distance_weight`` from ``--spectrum-weight``: a
number, ``auto`` (the default's rule) or ``variance``, the variance of the
training series' values. ``--max-recurrent-steps N`` sets the aeon
autoencoder's ``max_recurrent_steps`` (long series read in frames of
steps). The "AE term" columns give the distance term the default took
(``distance_metric_``, ``distance_weight_``).

Every model has its defaults, with only ``n_components`` set (and
``random_state=0``; ``--seeds 0 1 2`` fits the aeon autoencoder once per
``random_state`` given, its accuracies and fit times separated by " / ").
With ``--out`` the script writes (replaces) a Markdown section in that file,
rewritten after each task.

Example::

    PYTHONPATH=. python bench/bench_sequence.py --tasks sines sines2 aeon mnist \\
        --out bench/results/sequence.md
"""

import argparse
import os
import platform
import shlex
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

from skae import SequenceAutoencoder
from skae.datasets import find_mnist, load_mnist

AEON_SETS = ("GunPoint", "ArrowHead", "BasicMotions", "OSULeaf",
             "PickupGestureWiimoteZ", "JapaneseVowels")


def make_sines(n, n_steps, rng, n_waves=3, noise=0.1, freq=(1.0, 6.0), amp=(0.2, 1.0)):
    """Noisy sums of ``n_waves`` sines: ``(noisy, clean)``, each ``(n, n_steps, 1)``."""
    t = np.arange(n_steps) / n_steps
    f = rng.uniform(*freq, size=(n, n_waves, 1))  # cycles per window
    a = rng.uniform(*amp, size=(n, n_waves, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, n_waves, 1))
    clean = (a * np.sin(2 * np.pi * f * t + phase)).sum(axis=1)
    noisy = clean + noise * rng.randn(n, n_steps)
    return noisy[:, :, None].astype(np.float32), clean[:, :, None].astype(np.float32)


def mse(a, b):
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    return float(np.mean((a - b) ** 2))


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def reconstruction_task(name, x_train, x_test, k, clean_test=None):
    flat_tr, flat_te = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    pca, pca_s = timed(lambda: PCA(n_components=k, random_state=0).fit(flat_tr))
    rec = pca.inverse_transform(pca.transform(flat_te))
    rows = [dict(task=name, model=f"PCA({k})", epochs="-", fit_s=pca_s,
                 mse=mse(rec, flat_te),
                 clean=None if clean_test is None else mse(rec, clean_test))]
    print(rows[-1], flush=True)
    ae, ae_s = timed(lambda: SequenceAutoencoder(n_components=k, random_state=0)
                     .fit(x_train))
    rec = ae.reconstruct(x_test)
    rows.append(dict(task=name, model=f"SequenceAutoencoder(n_components={k})",
                     epochs=ae.n_iter_, fit_s=ae_s, mse=mse(rec, x_test), term=term(ae),
                     clean=None if clean_test is None else mse(rec, clean_test)))
    print(rows[-1], flush=True)
    return rows


def resample(seqs, n_steps):
    """Linear interpolation of each ``(channels, t_i)`` series to ``n_steps``."""
    grid = np.linspace(0, 1, n_steps)
    out = []
    for x in seqs:
        src = np.linspace(0, 1, x.shape[1])
        out.append(np.stack([np.interp(grid, src, c) for c in x]))
    return np.stack(out)


def series_variance(X):
    """Variance of every value of a collection (a 3-D array or a list of series)."""
    return float(np.concatenate([np.ravel(x) for x in X]).var())


def term(ae):
    """The distance term a fitted model took: ``"metric, weight"``."""
    return f"{ae.distance_metric_}, {ae.distance_weight_:.4g}"


def load_aeon(name, split):
    """``(X, y)`` of an aeon classification set; ``NAME-cropped``: each series
    of ``NAME`` cut to a window of random length (60 to 100 % of its own) at a
    random place, seeded per split, so an equal-length set becomes a list of
    unequal-length series."""
    from aeon.datasets import load_classification

    base, _, variant = name.partition("-")
    X, y = load_classification(base, split=split)
    if variant != "cropped":
        return X, y
    rng = np.random.RandomState(0 if split == "train" else 1)
    out = []
    for x in X:
        n = x.shape[-1]
        size = rng.randint(int(0.6 * n), n + 1)
        start = rng.randint(0, n - size + 1)
        out.append(np.ascontiguousarray(x[:, start:start + size]))
    return out, y


def aeon_task(name, k, spectrum=False, spectrum_weight="auto", max_recurrent_steps=None,
              seeds=(0,)):
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

    X, y = load_aeon(name, "train")
    Xt, yt = load_aeon(name, "test")
    ragged = isinstance(X, list)
    n_steps = max(x.shape[-1] for x in X)
    flat = lambda Z: resample(Z, n_steps).reshape(len(Z), -1)  # noqa: E731
    knn = lambda A, B: KNeighborsClassifier(1).fit(A, y).score(B, yt)  # noqa: E731

    pca, pca_s = timed(lambda: PCA(n_components=min(k, len(X)), random_state=0)
                       .fit(flat(X)))
    dtw, dtw_s = timed(lambda: KNeighborsTimeSeriesClassifier(
        n_neighbors=1, distance="dtw").fit(X, y).score(Xt, yt))
    X_ae = list(X) if ragged else X  # lists of (channels, t_i); 3-D arrays as is
    Xt_ae = list(Xt) if ragged else Xt
    frames = {} if max_recurrent_steps is None else {"max_recurrent_steps": max_recurrent_steps}
    fits = [timed(lambda: SequenceAutoencoder(
        n_components=k, channel_axis=0, random_state=seed, **frames).fit(X_ae))
        for seed in seeds]
    ae = fits[0][0]
    weight = series_variance(X) if spectrum_weight == "variance" else spectrum_weight
    spec, spec_s = (None, None) if not spectrum else timed(
        lambda: SequenceAutoencoder(n_components=k, channel_axis=0, random_state=0,
                                    distance_metric="spectrum",
                                    distance_weight=weight).fit(X_ae))
    row = dict(
        task=name, n_train=len(X), n_test=len(Xt), channels=X[0].shape[0],
        steps=(f"{min(x.shape[-1] for x in X)}-{n_steps}" if ragged else str(n_steps)),
        pca=knn(pca.transform(flat(X)), pca.transform(flat(Xt))), pca_s=pca_s,
        ae=[knn(m.transform(X_ae), m.transform(Xt_ae)) for m, _ in fits],
        ae_s=[s for _, s in fits], epochs=ae.n_iter_, term=term(ae), dtw=dtw, dtw_s=dtw_s,
        spec_s=spec_s,
        spec=None if spec is None else knn(spec.transform(X_ae), spec.transform(Xt_ae)),
    )
    print(row, flush=True)
    return row


def joined(values, f):
    """``values`` formatted with ``f``, separated by " / " (one per seed)."""
    return " / ".join(f % v for v in values)


def markdown(rec_rows, aeon_rows, args, command):
    fmt = lambda v, f: "-" if v is None else f % v  # noqa: E731
    lines = [
        args.title, "",
        f"Machine: 2-core CPU, no GPU; Python {platform.python_version()}, Keras "
        f"backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}. Every model "
        "with its defaults, only `n_components` set (and `random_state=0`).",
        "", "Command:", "", "```", command, "```", "",
    ]
    if rec_rows:
        lines += [
            "Reconstruction, test MSE over the flattened sequences ('vs clean': "
            "the reconstruction of the noisy test series against the noise-free "
            "waves). sines: 4,000 / 1,000 series of 64 steps, code 8. sines2: "
            "2,400 / 600 series of 50 steps, code 8. MNIST rows: 22,699 / 10,000 "
            "images as 28 steps of 28 pixels, code 32.", "",
            "| task | model | AE term | epochs | fit (s) | test MSE | vs clean |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['task']} | {r['model']} | {r.get('term', '-')} | {r['epochs']} | "
            f"{r['fit_s']:.1f} | "
            f"{r['mse']:.5f} | {fmt(r['clean'], '%.5f')} |" for r in rec_rows
        ]
        lines.append("")
    if aeon_rows:
        lines += [
            f"Features: 1-NN accuracy on the test set, codes of {args.aeon_components} "
            "values (PCA on the series resampled to the longest length) beside "
            "aeon's 1-NN DTW on the raw series; aeon's train/test splits. 'AE "
            f"spectrum': `distance_metric=\"spectrum\"`, `distance_weight` "
            f"{args.spectrum_weight} ('-': not run).", "",
            "| data set | train / test | channels | steps | PCA 1-NN | AE 1-NN "
            f"(seeds {' / '.join(map(str, args.seeds))}) "
            "| AE spectrum 1-NN | 1-NN DTW | AE term | AE epochs (first seed) | AE fit (s) "
            "| AE spectrum fit (s) | DTW fit+predict (s) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['task']} | {r['n_train']} / {r['n_test']} | {r['channels']} | "
            f"{r['steps']} | {r['pca']:.3f} | {joined(r['ae'], '%.3f')} | "
            f"{fmt(r['spec'], '%.3f')} "
            f"| {r['dtw']:.3f} | {r['term']} | {r['epochs']} | {joined(r['ae_s'], '%.1f')} | "
            f"{fmt(r['spec_s'], '%.1f')} | {r['dtw_s']:.1f} |" for r in aeon_rows
        ]
    return "\n".join(lines) + "\n"


def run(task, args):
    if task == "mnist":
        path = find_mnist()
        if path is None:
            sys.exit("mnist.npz not found (set SKAE_MNIST)")
        (xtr, _), (xte, _) = load_mnist(path)
        return reconstruction_task("MNIST rows (28x28)", xtr, xte, 32), []
    if task == "sines":
        rng = np.random.RandomState(0)
        xtr, _ = make_sines(4000, 64, rng)
        xte, cte = make_sines(1000, 64, rng)
        return reconstruction_task("sines (64x1)", xtr, xte, 8, clean_test=cte), []
    if task == "sines2":
        rng = np.random.RandomState(1)
        x, c = make_sines(3000, 50, rng, n_waves=2, freq=(1.0, 5.0), amp=(0.5, 2.0))
        return reconstruction_task("sines2 (50x1)", x[:2400], x[2400:], 8,
                                   clean_test=c[2400:]), []
    return [], [aeon_task(name, args.aeon_components, args.spectrum, args.spectrum_weight,
                          args.max_recurrent_steps, args.seeds) for name in args.aeon_sets]


def weight_arg(text):
    """``--spectrum-weight``: ``auto``, ``variance``, or a number at least 0."""
    if text in ("auto", "variance"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(
            f"a number >= 0, 'auto' or 'variance', got {text!r}")
    return value


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", nargs="+", default=["sines", "sines2", "aeon", "mnist"],
                   choices=["sines", "sines2", "aeon", "mnist"])
    p.add_argument("--aeon-sets", nargs="+", default=list(AEON_SETS))
    p.add_argument("--aeon-components", type=int, default=16)
    p.add_argument("--spectrum", action="store_true",
                   help='also fit distance_metric="spectrum" on the aeon sets')
    p.add_argument("--spectrum-weight", default="auto", type=weight_arg,
                   help="distance_weight of the spectrum column: a number, 'auto' "
                        "(the default) or 'variance' (the training series' variance)")
    p.add_argument("--max-recurrent-steps", type=int, default=None,
                   help="max_recurrent_steps of the aeon column's autoencoder "
                        "(default: the estimator's)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0],
                   help="random_state of the aeon autoencoders, one fit each (default 0)")
    p.add_argument("--out", default=None, help="Markdown file to write")
    p.add_argument("--title", default="## SequenceAutoencoder vs PCA and 1-NN DTW",
                   help="heading of the Markdown section")
    args = p.parse_args(argv)
    command = "PYTHONPATH=. python " + shlex.join(
        ["bench/bench_sequence.py"] + (argv if argv is not None else sys.argv[1:]))
    rec_rows, aeon_rows = [], []
    for task in args.tasks:  # in the order given; the file is rewritten after each
        rec, feat = run(task, args)
        rec_rows += rec
        aeon_rows += feat
        text = markdown(rec_rows, aeon_rows, args, command)
        print(text, flush=True)
        if args.out:
            os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
            with open(args.out, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
