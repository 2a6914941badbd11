"""Validation splits for SequenceAutoencoder's defaults (never the test series).

Fits the estimator on part of an aeon training split and scores the rest:
the 1-nearest-neighbour accuracy of the held-out series' codes (the
classifier fitted on the fitted part's codes) and their reconstruction error
(``-score``). Sets as in ``bench_sequence.py`` (``NAME-cropped`` included).

Splits, stratified by class, for each seed in ``--seeds`` (the seed also
sets the model's ``random_state``):

* ``--folds 1``: one split, a third held out
  (``train_test_split(test_size=1/3, stratify=y, random_state=seed)``), the
  design of the validation tables in BENCHMARKS.md;
* ``--folds K`` (K >= 2): ``StratifiedKFold(K, shuffle=True,
  random_state=seed)``, each fold held out in turn (``--max-folds`` runs only
  the first ones), so that the model is fitted on ``(K - 1) / K`` of the
  training series, closer to a fit of the whole split.

Each ``--variant NAME:key=value,...`` is a set of parameters on top of the
defaults (values read as Python literals, so ``None``, numbers and quoted or
bare strings); ``default`` alone is the defaults. Only ``n_components`` is
set otherwise (``--components``, 16 as in the benchmark).

Example (the clipping on folds of four fifths of PickupGestureWiimoteZ)::

    PYTHONPATH=. python bench/validate_sequence.py --sets PickupGestureWiimoteZ \\
        --folds 5 --seeds 0 --variant default --variant noclip:global_clipnorm=None
"""

import argparse
import ast
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from bench_sequence import load_aeon
from skae import SequenceAutoencoder


def variant_arg(text):
    """``NAME`` or ``NAME:key=value,...`` as ``(name, params)``."""
    name, _, rest = text.partition(":")
    params = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"expected key=value, got {item!r}")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return name, params


def splits(y, folds, seed, max_folds=None):
    """Index pairs ``(fit, held_out)`` of the validation design."""
    index = np.arange(len(y))
    if folds == 1:
        return [tuple(train_test_split(index, test_size=1 / 3, stratify=y,
                                       random_state=seed))]
    kfold = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return list(kfold.split(index, y))[:max_folds]


def score_split(X, y, fit, held, params, k, seed):
    """1-NN accuracy and reconstruction MSE of ``held`` for a model fitted on ``fit``."""
    take = lambda idx: [X[i] for i in idx]  # noqa: E731
    t0 = time.perf_counter()
    ae = SequenceAutoencoder(n_components=k, channel_axis=0, random_state=seed,
                             **params).fit(take(fit))
    seconds = time.perf_counter() - t0
    knn = KNeighborsClassifier(1).fit(ae.transform(take(fit)), y[fit])
    accuracy = knn.score(ae.transform(take(held)), y[held])
    return accuracy, -ae.score(take(held)), seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="+", required=True)
    p.add_argument("--variant", dest="variants", action="append", type=variant_arg,
                   required=True, help="NAME or NAME:key=value,... (repeatable)")
    p.add_argument("--folds", type=int, default=1)
    p.add_argument("--max-folds", type=int, default=None)
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--components", type=int, default=16)
    args = p.parse_args(argv)
    if args.folds < 1:
        p.error("--folds must be at least 1")
    rows = []
    for name in args.sets:
        X, y = load_aeon(name, "train")
        X, y = list(X), np.asarray(y)
        for seed in args.seeds:
            for i, (fit, held) in enumerate(splits(y, args.folds, seed, args.max_folds)):
                for vname, params in args.variants:
                    acc, err, sec = score_split(X, y, fit, held, params,
                                                args.components, seed)
                    rows.append((name, vname, f"{seed}.{i}", acc, err, sec))
                    print(f"{name} {vname} seed {seed} fold {i} ({len(fit)} / "
                          f"{len(held)}): 1-NN {acc:.3f}, MSE {err:.4g}, fit "
                          f"{sec:.1f} s", flush=True)
    print(summary(rows))


def summary(rows):
    """Markdown table: per set and variant, every split's accuracy and the means."""
    lines = ["| set | variant | 1-NN per split (seed.fold) | mean 1-NN | mean MSE | fit s |",
             "|---|---|---|---|---|---|"]
    for key in dict.fromkeys((r[0], r[1]) for r in rows):
        mine = [r for r in rows if (r[0], r[1]) == key]
        per = " / ".join(f"{r[2]}: {r[3]:.3f}" for r in mine)
        lines.append(f"| {key[0]} | {key[1]} | {per} | "
                     f"{np.mean([r[3] for r in mine]):.3f} | "
                     f"{np.mean([r[4] for r in mine]):.4g} | "
                     f"{np.mean([r[5] for r in mine]):.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
