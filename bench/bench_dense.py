"""Reproduce the tutorial's three dense autoencoders on MNIST with skae.

Usage: python bench/bench_dense.py [--scale 1.0] [--out bench/results/dense.md]

The seed trains the simple model 50 epochs, the sparse one 100 and the deep one
100, all with batch 256 and the test set as validation data. ``--scale`` shrinks
the epochs for a quick look.
"""

import argparse
import json

from _common import Timer, bce, machine, mnist_flat, mse
from sklearn.decomposition import PCA

from skae import DenseAutoencoder

SEED_FIGURES = {  # the tutorial's reported losses, and plain Keras on this split
    "simple": "~0.09 (plain Keras here: val 0.0939)",
    "sparse": "train 0.11, test 0.10",
    "deep": "~0.08 (plain Keras here: val 0.0881)",
}

MODELS = {
    "simple": (dict(n_components=32, hidden_layer_sizes=(), linear_path=False), 50),
    "sparse": (dict(n_components=32, hidden_layer_sizes=(), activity_l1=1e-4,
                    linear_path=False), 100),
    "deep": (dict(n_components=32, hidden_layer_sizes=(128, 64), linear_path=False), 100),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="epoch multiplier")
    parser.add_argument("--out", default=None, help="write a Markdown table here")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()

    xtr, _, xte, _ = mnist_flat()
    rows = []
    codes_mean = {}
    for name, (params, epochs) in MODELS.items():
        epochs = max(1, int(round(epochs * args.scale)))
        ae = DenseAutoencoder(**params, code_activation="relu", distance_weight=0,
                              epochs=epochs, batch_size=256,
                              random_state=args.random_state)
        with Timer() as t:
            ae.fit(xtr)
        rec_te = ae.reconstruct(xte)
        codes_mean[name] = float(ae.transform(xte).mean())
        rows.append(dict(
            model=name, epochs=epochs,
            train_loss=ae.history_["loss"][-1],
            train_bce=bce(xtr, ae.reconstruct(xtr)),
            val_bce=bce(xte, rec_te), test_mse=mse(xte, rec_te),
            code_mean=codes_mean[name], seconds=t.seconds,
        ))
        print(json.dumps(rows[-1]), flush=True)

    pca = PCA(32, svd_solver="full").fit(xtr)
    pca_mse = mse(xte, pca.inverse_transform(pca.transform(xte)))
    print(json.dumps({"pca32_test_mse": pca_mse}))

    lines = [
        "| model | epochs | train loss (last epoch, incl. penalty) | train BCE | "
        "val BCE (test set) | seed's figure | test MSE | mean code value (test) | fit s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['epochs']} | {r['train_loss']:.4f} | "
            f"{r['train_bce']:.4f} | {r['val_bce']:.4f} | {SEED_FIGURES[r['model']]} | "
            f"{r['test_mse']:.4f} | {r['code_mean']:.2f} | {r['seconds']:.0f} |"
        )
    lines.append(f"| PCA(32) | - | - | - | - | - | {pca_mse:.4f} | - | - |")
    text = "\n".join(lines)
    text += (
        f"\n\nMean code value on the test set: simple {codes_mean['simple']:.2f}, "
        f"sparse {codes_mean['sparse']:.2f} (seed: 7.30 vs 3.33).\n\nMachine: {machine()}.\n"
    )
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
