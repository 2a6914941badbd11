"""Benchmark: the tutorial's convolutional autoencoder and image denoiser on MNIST.

Reproduces the "Convolutional autoencoder" and "Application to image denoising"
sections of the Keras autoencoder tutorial with ``skae.ConvAutoencoder``:

* the tutorial's conv model (``n_components=None, filters=(16, 8, 8),
  pooling="max"``: a (4, 4, 8) = 128 code),
  batch 128, validation binary cross-entropy on the test set (the tutorial
  reports 0.094) and test MSE, beside PCA(128) fitted on the same training set;
* the denoiser ``ConvAutoencoder(None, filters=(32, 32), pooling="max",
  noise_factor=0.5)``: PSNR and
  MSE on the test set with fixed-seed noise (factor 0.5, clipped to [0, 1]), of
  the noisy input, of the denoiser's output and of a PCA baseline (PCA fitted
  on the clean training images; noisy test images projected and mapped back;
  best of a few component counts).

Usage::

    python bench/bench_conv.py --epochs 50 --denoise-epochs 100

MNIST is read through ``skae.datasets.find_mnist`` / ``load_mnist``. Results
are printed and written as a Markdown section to ``--out``.
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np

# Figures quoted from the tutorial and measured with plain Keras on this split.
SEED_VAL_BCE = 0.094
PLAIN_KERAS_VAL_BCE = 0.0964
PLAIN_KERAS_TEST_MSE = 0.0116


def psnr(mse):
    """PSNR in dB of images in [0, 1], from a mean squared error."""
    return float(10.0 * np.log10(1.0 / mse))


def mse(a, b):
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def bce(x, r, eps=1e-7):
    r = np.clip(np.asarray(r, np.float64), eps, 1 - eps)
    x = np.asarray(x, np.float64)
    return float(np.mean(-(x * np.log(r) + (1 - x) * np.log(1 - r))))


def make_timer(max_minutes=None):
    """Callback timing each epoch; stops training before ``max_minutes``."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []
            self.stopped_early = False

        def on_train_begin(self, logs=None):
            self._start = time.perf_counter()

        def on_epoch_begin(self, epoch, logs=None):
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            self.times.append(now - self._t0)
            loss = (logs or {}).get("loss", float("nan"))
            print(f"  epoch {epoch + 1}: loss {loss:.4f}, "
                  f"{self.times[-1]:.1f} s", flush=True)
            if max_minutes:
                recent = float(np.median(self.times[-3:]))
                if now - self._start + recent > 60.0 * max_minutes:
                    print(f"  time budget of {max_minutes} min reached: "
                          "stopping", flush=True)
                    self.stopped_early = True
                    self.model.stop_training = True

    return EpochTimer()


def sec_per_epoch(times):
    """Median epoch time, leaving out the first epoch (graph compilation)."""
    if len(times) > 1:
        return float(np.median(times[1:])), float(times[0])
    return float(times[0]), float(times[0])


def run_conv(args, x_train, x_test):
    from sklearn.decomposition import PCA

    from skae._conv import ConvAutoencoder

    timer = make_timer(args.conv_minutes)
    ae = ConvAutoencoder(None, image_shape=(28, 28, 1), filters=(16, 8, 8),
                         pooling="max", epochs=args.epochs, batch_size=128,
                         callbacks=[timer], random_state=args.seed)
    t0 = time.perf_counter()
    ae.fit(x_train)
    fit_s = time.perf_counter() - t0
    rec = ae.reconstruct(x_test)
    res = {
        "code_size": ae.transform(x_test[:1]).shape[1],
        "val_bce": bce(x_test, rec),
        "score_bce": -ae.score(x_test),
        "test_mse": mse(x_test, rec),
        "fit_s": fit_s,
        "epochs": ae.n_iter_,
        "train_loss": ae.history_["loss"][-1],
        "budget_stop": timer.stopped_early,
    }
    res["s_per_epoch"], res["first_epoch_s"] = sec_per_epoch(timer.times)

    flat_tr = x_train.reshape(len(x_train), -1)
    flat_te = x_test.reshape(len(x_test), -1)
    pca = PCA(n_components=128, random_state=args.seed).fit(flat_tr)
    pca_rec = pca.inverse_transform(pca.transform(flat_te))
    res["pca_mse"] = mse(flat_te, pca_rec)
    return res


def run_denoise(args, x_train, x_test):
    from sklearn.decomposition import PCA

    from skae._conv import ConvAutoencoder

    rng = np.random.RandomState(args.seed)
    noisy = np.clip(x_test + 0.5 * rng.normal(size=x_test.shape), 0.0, 1.0)
    noisy = noisy.astype(np.float32)

    timer = make_timer(args.denoise_minutes)
    den = ConvAutoencoder(None, image_shape=(28, 28, 1), filters=(32, 32),
                          pooling="max", noise_factor=0.5,
                          epochs=args.denoise_epochs, batch_size=128,
                          callbacks=[timer], random_state=args.seed)
    t0 = time.perf_counter()
    den.fit(x_train)
    fit_s = time.perf_counter() - t0
    cleaned = den.reconstruct(noisy)

    res = {
        "code_size": den.transform(x_test[:1]).shape[1],
        "noisy_mse": mse(x_test, noisy),
        "den_mse": mse(x_test, cleaned),
        "den_bce": bce(x_test, cleaned),
        "fit_s": fit_s,
        "epochs": den.n_iter_,
        "budget_stop": timer.stopped_early,
    }
    res["s_per_epoch"], res["first_epoch_s"] = sec_per_epoch(timer.times)

    flat_tr = x_train.reshape(len(x_train), -1)
    flat_noisy = noisy.reshape(len(noisy), -1)
    flat_te = x_test.reshape(len(x_test), -1)
    pca = PCA(n_components=max(args.pca_components),
              random_state=args.seed).fit(flat_tr)
    z = pca.transform(flat_noisy)
    per_k = {}
    for k in args.pca_components:
        # The first k components of the largest fit are PCA(k)'s components.
        rec = z[:, :k] @ pca.components_[:k] + pca.mean_
        per_k[k] = mse(flat_te, np.clip(rec, 0.0, 1.0))
    best_k = min(per_k, key=per_k.get)
    res["pca_per_k"] = per_k
    res["pca_k"] = best_k
    res["pca_mse"] = per_k[best_k]
    return res


def _short_note(seed_epochs, res):
    if res["epochs"] >= seed_epochs:
        return ""
    how = ("stopped by `--*-minutes` time budget" if res["budget_stop"]
           else "to fit the time")
    return (f" (the tutorial trains {seed_epochs}; fewer here, {how} on this "
            "contended 2-core CPU)")


def markdown(args, n_train, n_test, conv, den):
    cmd = "python bench/bench_conv.py " + " ".join(sys.argv[1:])
    lines = [
        "# ConvAutoencoder on MNIST",
        "",
        "The tutorial's convolutional autoencoder and image denoiser, with "
        "`skae.ConvAutoencoder`.",
        "",
        f"- Data: MNIST, {n_train} training and {n_test} test images "
        "(`skae.datasets.find_mnist` / `load_mnist`, pixels in [0, 1]).",
        "- Machine: 2-core CPU, no GPU (shared with other jobs), "
        f"Python {platform.python_version()}, TensorFlow backend.",
        f"- Command (from the project root): `{cmd}`",
        "",
    ]
    if conv is not None:
        lines += [
            "## Convolutional autoencoder",
            "",
            "`ConvAutoencoder(None, filters=(16, 8, 8), pooling=\"max\")` "
            "(kernel 3, max "
            "pooling, batch 128; the tutorial's model, with its unpadded "
            f"16 -> 14 convolution), code of {conv['code_size']} values, "
            f"{conv['epochs']} epochs"
            + _short_note(50, conv) + ".",
            "",
            "| model | epochs | val. BCE (test set) | test MSE |",
            "|---|---:|---:|---:|",
            f"| tutorial (reported) | 50 | {SEED_VAL_BCE:.3f} | |",
            f"| plain Keras, this split | 50 | {PLAIN_KERAS_VAL_BCE:.4f} | "
            f"{PLAIN_KERAS_TEST_MSE:.4f} |",
            f"| skae tutorial conv | {conv['epochs']} | "
            f"{conv['val_bce']:.4f} | {conv['test_mse']:.4f} |",
            f"| PCA(128), same training set | | | {conv['pca_mse']:.4f} |",
            "",
            f"Training: {conv['s_per_epoch']:.1f} s per epoch (median, first "
            f"epoch with compilation {conv['first_epoch_s']:.1f} s), "
            f"{conv['fit_s']:.0f} s in all; final training loss "
            f"{conv['train_loss']:.4f}. Validation BCE is the mean binary "
            "cross-entropy per pixel of the test-set reconstructions, as "
            "Keras' `val_loss` with the test set as validation data.",
            "",
        ]
    if den is not None:
        pk = ", ".join(f"{k}: {v:.4f}" for k, v in sorted(den["pca_per_k"].items()))
        lines += [
            "## Image denoising",
            "",
            "`ConvAutoencoder(None, filters=(32, 32), pooling=\"max\", "
            "noise_factor=0.5)` "
            f"(a (7, 7, 32) code of {den['code_size']} values), trained on the "
            f"clean training images for {den['epochs']} epochs"
            + _short_note(100, den)
            + "; the Gaussian noise (factor 0.5, clipped to [0, 1]) is drawn "
            "afresh for every batch during training. Test images get fixed "
            f"noise (seed {args.seed}); the cleaned images are "
            "`reconstruct(X_noisy)`.",
            "",
            "| images compared to the clean test set | MSE | PSNR (dB) |",
            "|---|---:|---:|",
            f"| noisy input | {den['noisy_mse']:.4f} | {psnr(den['noisy_mse']):.2f} |",
            f"| PCA({den['pca_k']}) projection of the noisy input | "
            f"{den['pca_mse']:.4f} | {psnr(den['pca_mse']):.2f} |",
            f"| skae denoiser, `reconstruct(noisy)` | {den['den_mse']:.4f} | "
            f"{psnr(den['den_mse']):.2f} |",
            "",
            f"PSNR is `10 log10(1 / MSE)` over the whole test set. PCA "
            f"baseline: fitted on the clean training images, best component "
            f"count on the test set among ({pk}), output clipped to [0, 1] "
            "(so the baseline is, if anything, flattered). Denoiser training: "
            f"{den['s_per_epoch']:.1f} s per epoch (median; first epoch "
            f"{den['first_epoch_s']:.1f} s), {den['fit_s']:.0f} s in all; "
            f"test BCE of the cleaned images {den['den_bce']:.4f}.",
            "",
        ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50,
                        help="epochs of the conv autoencoder (tutorial: 50)")
    parser.add_argument("--denoise-epochs", type=int, default=None,
                        help="epochs of the denoiser (tutorial: 100; default: "
                             "twice --epochs)")
    parser.add_argument("--n-train", type=int, default=None,
                        help="use only the first N training images")
    parser.add_argument("--pca-components", type=int, nargs="+",
                        default=[16, 32, 64, 128],
                        help="component counts tried for the PCA denoiser")
    parser.add_argument("--conv-minutes", type=float, default=None,
                        help="stop the conv model's training after the epoch "
                             "that would overrun this many minutes")
    parser.add_argument("--denoise-minutes", type=float, default=None,
                        help="the same time budget for the denoiser")
    parser.add_argument("--skip-conv", action="store_true")
    parser.add_argument("--skip-denoise", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", "conv.md"))
    args = parser.parse_args(argv)
    if args.denoise_epochs is None:
        args.denoise_epochs = 2 * args.epochs

    from skae.datasets import find_mnist, load_mnist

    path = find_mnist()
    if path is None:
        sys.exit("mnist.npz not found: set SKAE_MNIST")
    (x_train, _), (x_test, _) = load_mnist(path)
    if args.n_train:
        x_train = x_train[: args.n_train]
    x_train = x_train[..., None]  # (n, 28, 28, 1), as the tutorial
    x_test = x_test[..., None]
    print(f"MNIST: {x_train.shape} train, {x_test.shape} test", flush=True)

    conv = den = None
    if not args.skip_conv:
        print(f"conv autoencoder, {args.epochs} epochs", flush=True)
        conv = run_conv(args, x_train, x_test)
        print(conv, flush=True)
        _write(args, markdown(args, len(x_train), len(x_test), conv, den))
    if not args.skip_denoise:
        print(f"denoiser, {args.denoise_epochs} epochs", flush=True)
        den = run_denoise(args, x_train, x_test)
        print(den, flush=True)
    text = markdown(args, len(x_train), len(x_test), conv, den)
    _write(args, text)
    print(text)


def _write(args, text):
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
