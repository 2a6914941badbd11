"""Benchmark: skae.VariationalAutoencoder on MNIST.

Trains dense VAEs (latent 2 and 20) on the MNIST training images found by
``skae.datasets.find_mnist`` and reports, on the 10,000 test images:

* the negative ELBO per image in nats (binary cross-entropy summed over the
  784 pixels + KL), estimated by ``score`` (16 fixed latent draws), split into
  its reconstruction and KL parts;
* for the 2-D latent plane, the 5-fold cross-validated accuracy of a 5-NN
  classifier on the test-set latent means, beside PCA(2) fitted on the same
  training images.

Example::

    PYTHONPATH=. python bench/bench_vae.py --epochs 30 --hidden 512 \\
        --out bench/results/vae.md
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skae._vae import VariationalAutoencoder
from skae.datasets import find_mnist, load_mnist


def knn_accuracy(codes, y, seed=0):
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    scores = cross_val_score(KNeighborsClassifier(5), codes, y, cv=cv)
    return float(scores.mean()), float(scores.std())


def run_one(latent, args, xtr, xte, yte):
    vae = VariationalAutoencoder(
        n_components=latent, hidden_layer_sizes=tuple(args.hidden),
        epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.learning_rate, random_state=args.seed,
        verbose=args.verbose,
    )
    t0 = time.perf_counter()
    vae.fit(xtr)
    fit_s = time.perf_counter() - t0
    elbo = vae.score_samples(xte)
    z_mean, z_log_var = (a.astype(np.float64) for a in vae._posterior(xte))
    kl = 0.5 * np.sum(np.exp(z_log_var) + z_mean**2 - 1 - z_log_var, axis=1)
    row = {
        "latent": latent,
        "epochs": vae.n_iter_,
        "fit_s": fit_s,
        "s_per_epoch": fit_s / vae.n_iter_,
        "train_loss": vae.history_["loss"][-1],
        "test_nelbo": float(-elbo.mean()),
        "test_kl": float(kl.mean()),
        "test_recon": float(-elbo.mean() - kl.mean()),
        "knn": knn_accuracy(z_mean, yte, args.seed),
    }
    print(row, flush=True)
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latents", type=int, nargs="+", default=[2, 20])
    p.add_argument("--hidden", type=int, nargs="+", default=[512])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--verbose", type=int, default=0)
    p.add_argument("--out", default=None, help="Markdown file to write")
    args = p.parse_args(argv)

    path = find_mnist()
    if path is None:
        sys.exit("mnist.npz not found (set SKAE_MNIST)")
    (xtr, ytr), (xte, yte) = load_mnist(path)
    xtr = xtr.reshape(len(xtr), -1)
    xte = xte.reshape(len(xte), -1)
    print(f"MNIST train {xtr.shape}, test {xte.shape}", flush=True)

    rows = [run_one(latent, args, xtr, xte, yte) for latent in args.latents]
    pca_codes = PCA(2, random_state=args.seed).fit(xtr).transform(xte)
    pca_knn = knn_accuracy(pca_codes, yte, args.seed)
    print("PCA(2) 5-NN", pca_knn, flush=True)

    import keras

    published = {2: "~150", 20: "~105"}
    hidden = ",".join(map(str, args.hidden))
    cmd = "PYTHONPATH=. python bench/bench_vae.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    lines = [
        "## VariationalAutoencoder on MNIST (dense, hidden "
        f"({hidden},), {args.epochs} epochs)",
        "",
        f"Training: the {len(xtr):,} MNIST training images of "
        "`/work/shared/data/mnist.npz` (grey levels in [0, 1], not binarised; "
        "full MNIST has 60,000), Adam, learning rate "
        f"{args.learning_rate}, batch {args.batch_size}, {args.epochs} epochs, "
        f"`random_state={args.seed}`. Evaluation: the {len(xte):,} test images. "
        "Negative ELBO = binary cross-entropy summed over the 784 pixels + KL, "
        "in nats per image, from `-score_samples` (16 fixed latent draws).",
        "",
        "| latent | test −ELBO (nats) | recon. BCE | KL | train loss (last epoch) "
        "| published dense VAE −ELBO | 5-NN acc. on test latent means (5-fold CV) "
        "| fit time (s) | s/epoch |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        acc, sd = r["knn"]
        lines.append(
            f"| {r['latent']} | {r['test_nelbo']:.1f} | {r['test_recon']:.1f} | "
            f"{r['test_kl']:.1f} | {r['train_loss']:.1f} | "
            f"{published.get(r['latent'], '–')} | {acc:.3f} ± {sd:.3f} | "
            f"{r['fit_s']:.0f} | {r['s_per_epoch']:.1f} |"
        )
    lines += [
        "",
        "2-D latent plane, 5-NN accuracy (5-fold CV on the test set): "
        + ", ".join(
            f"VAE latent 2 **{r['knn'][0]:.3f}**" for r in rows if r["latent"] == 2
        )
        + f" vs PCA(2) fitted on the same training images **{pca_knn[0]:.3f} "
        f"± {pca_knn[1]:.3f}**.",
        "",
        "Published figures (~150 nats at latent 2, ~105 at latent 20) are for "
        "dense VAEs trained on the full 60,000 MNIST images (often "
        "binarised, where the BCE is a true log-likelihood); ours train on "
        "22,699 grey-level images, so the comparison is indicative only: "
        "fewer images mean more overfitting (compare the train loss with the "
        "test figure), and on grey levels the summed BCE includes the pixels' "
        "own entropy. The 5-NN accuracy of the latent-20 row is on the "
        "20-D means. Hidden layer: one dense layer of "
        f"{hidden} units (the seed tutorial uses 64; 512 is the usual "
        "choice in the VAE literature).",
        "",
        f"Command: `{cmd}`",
        "",
        f"Machine: 2-core CPU, no GPU (shared with other jobs); Keras "
        f"{keras.__version__}, backend {keras.backend.backend()}, Python "
        f"{platform.python_version()}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
