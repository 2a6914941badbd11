"""Benchmark: SequenceAutoencoder beside PCA on sequence data.

Two tasks:

* MNIST read row by row: each 28x28 image is a sequence of 28 steps of 28
  features (real MNIST, loaded with ``skae.datasets``).
* Noisy multi-frequency sine waves, generated with a fixed seed: each series is
  a sum of sines with random frequencies, amplitudes and phases, plus Gaussian
  noise.

For each task the script reports the test mean squared error of the
reconstruction (on the flattened sequences) of a SequenceAutoencoder and of a
PCA with the same code size, the training times and the epochs run; on the
sine task also the error against the noise-free waves. With ``--out`` it
writes (replaces) a Markdown section in that file.

Example::

    PYTHONPATH=. python bench/bench_sequence.py --mnist-epochs 10 \
        --sine-epochs 40 --out bench/results/sequence.md
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

from skae._sequence import SequenceAutoencoder
from skae.datasets import find_mnist, load_mnist


def make_sines(n, n_steps, rng, n_waves=3, noise=0.1):
    """Noisy sums of ``n_waves`` sines: ``(noisy, clean)``, each ``(n, n_steps, 1)``."""
    t = np.arange(n_steps) / n_steps
    freq = rng.uniform(1.0, 6.0, size=(n, n_waves, 1))  # cycles per window
    amp = rng.uniform(0.2, 1.0, size=(n, n_waves, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, n_waves, 1))
    clean = (amp * np.sin(2 * np.pi * freq * t + phase)).sum(axis=1)
    noisy = clean + noise * rng.randn(n, n_steps)
    return noisy[:, :, None].astype(np.float32), clean[:, :, None].astype(np.float32)


def mse(a, b):
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    return float(np.mean((a - b) ** 2))


def run_task(name, x_train, x_test, n_components, epochs, args, clean_test=None):
    rows = []
    flat_train = x_train.reshape(len(x_train), -1)
    flat_test = x_test.reshape(len(x_test), -1)

    t0 = time.perf_counter()
    pca = PCA(n_components=n_components, random_state=0).fit(flat_train)
    pca_time = time.perf_counter() - t0
    rec = pca.inverse_transform(pca.transform(flat_test))
    rows.append(dict(task=name, model=f"PCA({n_components})", epochs="-",
                     fit_s=pca_time, s_per_epoch=None, mse=mse(rec, flat_test),
                     mse_clean=None if clean_test is None else mse(rec, clean_test)))
    print(rows[-1], flush=True)

    ae = SequenceAutoencoder(
        n_components=n_components, cell=args.cell,
        hidden_layer_sizes=tuple(args.hidden), epochs=epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        random_state=0, verbose=args.verbose,
    )
    t0 = time.perf_counter()
    ae.fit(x_train)
    fit_time = time.perf_counter() - t0
    rec = ae.reconstruct(x_test)
    hidden = ",".join(map(str, args.hidden))
    rows.append(dict(
        task=name,
        model=f"SequenceAutoencoder({args.cell}, hidden=({hidden}), code={n_components}, loss={ae.loss_})",
        epochs=ae.n_iter_, fit_s=fit_time, s_per_epoch=fit_time / ae.n_iter_,
        mse=mse(rec, x_test),
        mse_clean=None if clean_test is None else mse(rec, clean_test)))
    print(rows[-1], flush=True)
    return rows


def markdown(rows, args, command):
    fmt = lambda v, f: "-" if v is None else (f % v if not isinstance(v, str) else v)
    lines = [
        args.title,
        "",
        f"Machine: 2-core CPU, no GPU (shared with other jobs while it ran); "
        f"Python {platform.python_version()}, Keras backend "
        f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}.",
        "",
        "Command:",
        "",
        "```",
        command,
        "```",
        "",
        f"MNIST: {args.mnist_train} training / {args.mnist_test} test images read "
        "as 28 steps of 28 pixels in [0, 1] (binary cross-entropy, sigmoid "
        f"output), code size {args.mnist_components}. Sines: {args.sine_train} "
        f"training / {args.sine_test} test series of {args.sine_steps} steps, each "
        "a sum of 3 sines (1-6 cycles per window, random amplitude and phase) "
        f"plus N(0, 0.1^2) noise, seed 0 (mean squared error, linear output), "
        f"code size {args.sine_components}. Batch size {args.batch_size}, "
        f"learning rate {args.learning_rate}, random_state=0. Test MSE is over the flattened sequences; 'MSE vs "
        "clean' compares the reconstruction of the noisy test series with the "
        "noise-free waves.",
        "",
        "| task | model | epochs | fit time (s) | s/epoch | test MSE | MSE vs clean |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['task']} | {r['model']} | {r['epochs']} | {r['fit_s']:.1f} | "
            f"{fmt(r['s_per_epoch'], '%.1f')} | {r['mse']:.5f} | "
            f"{fmt(r['mse_clean'], '%.5f')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", nargs="+", default=["sines", "mnist"],
                   choices=["mnist", "sines"])
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--hidden", type=int, nargs="*", default=[],
                   help="hidden_layer_sizes of the recurrent stack")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--mnist-epochs", type=int, default=10)
    p.add_argument("--mnist-train", type=int, default=None,
                   help="training images (default: all)")
    p.add_argument("--mnist-test", type=int, default=None,
                   help="test images (default: all)")
    p.add_argument("--mnist-components", type=int, default=32)
    p.add_argument("--sine-epochs", type=int, default=40)
    p.add_argument("--sine-train", type=int, default=4000)
    p.add_argument("--sine-test", type=int, default=1000)
    p.add_argument("--sine-steps", type=int, default=64)
    p.add_argument("--sine-components", type=int, default=8)
    p.add_argument("--verbose", type=int, default=0)
    p.add_argument("--learning-rate", type=float, default=1e-3)
    p.add_argument("--out", default=None, help="Markdown file to write")
    p.add_argument("--append", action="store_true",
                   help="append the section to --out instead of replacing it")
    p.add_argument("--title", default="## SequenceAutoencoder vs PCA (issue 4)",
                   help="heading of the Markdown section")
    args = p.parse_args(argv)

    command = "PYTHONPATH=. python " + shlex.join(
        ["bench/bench_sequence.py"] + (argv if argv is not None else sys.argv[1:]))
    previous = ""
    if args.append and args.out and os.path.exists(args.out):
        with open(args.out) as f:
            previous = f.read().rstrip("\n") + "\n\n"
    rows = []
    for task in args.tasks:  # in the order given; the file is rewritten after each
        if task == "mnist":
            path = find_mnist()
            if path is None:
                sys.exit("mnist.npz not found (set SKAE_MNIST)")
            (xtr, _), (xte, _) = load_mnist(path)
            xtr = xtr[: args.mnist_train]
            xte = xte[: args.mnist_test]
            args.mnist_train, args.mnist_test = len(xtr), len(xte)
            rows += run_task("MNIST rows (28x28)", xtr, xte,
                             args.mnist_components, args.mnist_epochs, args)
        else:
            rng = np.random.RandomState(0)
            xtr, _ = make_sines(args.sine_train, args.sine_steps, rng)
            xte, cte = make_sines(args.sine_test, args.sine_steps, rng)
            rows += run_task(f"noisy sines ({args.sine_steps}x1)", xtr, xte,
                             args.sine_components, args.sine_epochs, args,
                             clean_test=cte)
        text = markdown(rows, args, command)
        print(text, flush=True)
        if args.out:
            os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
            with open(args.out, "w") as f:
                f.write(previous + text)


if __name__ == "__main__":
    main()
