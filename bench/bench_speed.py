"""Speed of skae against the tutorial's plain Keras code, PCA and the arithmetic floor.

Usage:
    python bench/bench_speed.py train [--backends tensorflow,jax] [--epochs 6] [--repeats 3]
    python bench/bench_speed.py small [--rows 1000] [--epochs 5] [--repeats 5]
    python bench/bench_speed.py transform
    python bench/bench_speed.py import
    python bench/bench_speed.py memory

``train`` fits the seed's simple, deep and convolutional models in one process
per backend, as the tutorial writes them (plain Keras: compile with adam and
binary cross-entropy, fit with shuffle=True) and as skae's default estimator
with the same epochs and batch size, ``--repeats`` times each, alternately, and
reports seconds per epoch (median over all epochs but each fit's first, which
includes compilation), the range of the per-fit speed-ups, the
final training loss, and the ratio to an arithmetic floor: the model's
floating-point operations per epoch divided by the rate NumPy reaches on a
matrix product of the model's shape in the same process. No validation data
is passed to either, so the figures are training time only.

``small`` times whole fits, compilation included, of the same models on the
first ``--rows`` MNIST training images (the fits of a grid search or of a
small data set, where tracing the training step costs as much as training):
a new model each time, plain Keras and skae alternately, after one fit of
each that leaves out the process' one-time start-up; medians of the fits.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# The tutorial's models, as plain Keras code
# ---------------------------------------------------------------------------
def seed_model(name):
    import keras
    from keras import layers

    if name == "conv":
        inp = keras.Input(shape=(28, 28, 1))
        x = layers.Conv2D(16, (3, 3), activation="relu", padding="same")(inp)
        x = layers.MaxPooling2D((2, 2), padding="same")(x)
        x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
        x = layers.MaxPooling2D((2, 2), padding="same")(x)
        x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
        enc = layers.MaxPooling2D((2, 2), padding="same")(x)
        x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(enc)
        x = layers.UpSampling2D((2, 2))(x)
        x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
        x = layers.UpSampling2D((2, 2))(x)
        x = layers.Conv2D(16, (3, 3), activation="relu")(x)
        x = layers.UpSampling2D((2, 2))(x)
        out = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    else:
        inp = keras.Input(shape=(784,))
        x = inp
        hidden = (128, 64) if name == "deep" else ()
        for units in hidden:
            x = layers.Dense(units, activation="relu")(x)
        x = layers.Dense(32, activation="relu")(x)
        for units in reversed(hidden):
            x = layers.Dense(units, activation="relu")(x)
        out = layers.Dense(784, activation="sigmoid")(x)
    model = keras.Model(inp, out)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def skae_estimator(name, epochs, batch_size):
    from skae import DenseAutoencoder

    if name == "conv":
        from skae import ConvAutoencoder

        return ConvAutoencoder(None, image_shape=(28, 28, 1), filters=(16, 8, 8),
                               pooling="max", epochs=epochs,
                               batch_size=batch_size, random_state=0)
    hidden = (128, 64) if name == "deep" else ()
    return DenseAutoencoder(32, hidden_layer_sizes=hidden, code_activation="relu",
                            distance_weight=0, linear_path=False, epochs=epochs,
                            batch_size=batch_size, random_state=0)


def flops_per_sample(name):
    """Multiply-adds x2 of the forward pass, x3 for forward + backward."""
    if name == "conv":
        # (height, width, k*k*c_in, c_out) of each convolution
        convs = [(28, 28, 9, 16), (14, 14, 9 * 16, 8), (7, 7, 9 * 8, 8),
                 (4, 4, 9 * 8, 8), (8, 8, 9 * 8, 8), (14, 14, 9 * 8, 16),
                 (28, 28, 9 * 16, 1)]
        macs = sum(h * w * k * c for h, w, k, c in convs)
    else:
        sizes = [784, 128, 64, 32, 64, 128, 784] if name == "deep" else [784, 32, 784]
        macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return 3 * 2 * macs


def numpy_gflops(name, batch_size):
    """GFLOP/s NumPy reaches on a matrix product shaped like the model's work."""
    rng = np.random.RandomState(0)
    if name == "conv":  # im2col product of the widest convolution
        a = rng.rand(batch_size * 196, 144).astype(np.float32)
        b = rng.rand(144, 8).astype(np.float32)
    else:
        a = rng.rand(batch_size, 784).astype(np.float32)
        b = rng.rand(784, 32).astype(np.float32)
    a @ b
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        a @ b
        reps += 1
    seconds = (time.perf_counter() - start) / reps
    return 2 * a.shape[0] * a.shape[1] * b.shape[1] / seconds / 1e9


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self._t = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter() - self._t)

    return EpochTimer()


def _mnist():
    """``mnist_flat()`` of ``bench/_common.py``, with skae and ``bench/`` importable."""
    sys.path.insert(0, os.path.dirname(HERE))
    sys.path.insert(0, HERE)
    from _common import mnist_flat

    return mnist_flat()


def _tutorial_inputs(name, xtr):
    """``(x, batch)`` for the tutorial's plain Keras model ``name``: its conv
    model takes images, in batches of 128; the dense ones flat rows, in 256s.
    (skae's estimators take the flat rows ``xtr`` and reshape them.)"""
    if name == "conv":
        return xtr.reshape(-1, 28, 28, 1), 128
    return xtr, 256


def _fit_plain(name, x, epochs, batch):
    timer = _epoch_timer()
    model = seed_model(name)
    hist = model.fit(x, x, epochs=epochs, batch_size=batch, shuffle=True,
                     verbose=0, callbacks=[timer])
    return timer.times[1:], hist.history["loss"][-1]


def _fit_skae(name, x, epochs, batch):
    timer = _epoch_timer()
    est = skae_estimator(name, epochs, batch).set_params(callbacks=[timer])
    est.fit(x)
    return timer.times[1:], est.history_["loss"][-1]


def train_one_backend(models, epochs, repeats):
    """Runs inside a process whose KERAS_BACKEND is already set.

    Each model is fitted ``repeats`` times by each contender, alternately
    (plain, skae, skae, plain, plain, skae, ...), so that a change in the
    machine's load falls on both alike; the first epoch of every fit, which
    includes compilation, is left out of the per-epoch times.
    """
    import keras

    xtr, _, _, _ = _mnist()
    results = []
    for name in models:
        x, batch = _tutorial_inputs(name, xtr)
        flops = flops_per_sample(name) * len(xtr)
        gflops = numpy_gflops(name, batch)
        floor = flops / (gflops * 1e9)
        row = {"backend": keras.backend.backend(), "model": name, "epochs": epochs,
               "repeats": repeats, "batch_size": batch, "gflop_per_epoch": flops / 1e9,
               "numpy_gflops": gflops, "floor_s": floor}
        times = {"seed": [], "skae": []}
        losses = {"seed": [], "skae": []}
        ratios = []
        for rep in range(repeats):
            order = ("seed", "skae") if rep % 2 == 0 else ("skae", "seed")
            medians = {}
            for who in order:
                # The tutorial's conv model takes images; skae's takes flat rows.
                epoch_times, loss = (_fit_plain(name, x, epochs, batch) if who == "seed"
                                     else _fit_skae(name, xtr, epochs, batch))
                times[who] += epoch_times
                losses[who].append(loss)
                medians[who] = statistics.median(epoch_times)
            ratios.append(medians["seed"] / medians["skae"])
        for who in ("seed", "skae"):
            row[f"{who}_s_per_epoch"] = statistics.median(times[who])
            row[f"{who}_loss"] = statistics.median(losses[who])
            row[f"{who}_x_floor"] = row[f"{who}_s_per_epoch"] / floor
        row["speedup"] = row["seed_s_per_epoch"] / row["skae_s_per_epoch"]
        row["speedup_range"] = [min(ratios), max(ratios)]
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def cmd_train(args):
    rows = []
    for backend in args.backends.split(","):
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        out = subprocess.run(
            [sys.executable, __file__, "_train_inner", "--models", args.models,
             "--epochs", str(args.epochs), "--repeats", str(args.repeats)],
            env=env, capture_output=True, text=True,
        )
        if out.returncode:
            sys.stderr.write(out.stderr[-3000:])
            sys.exit(f"{backend} run failed")
        rows += [json.loads(line) for line in out.stdout.splitlines()
                 if line.startswith("{")]
    lines = [
        "| backend | model | batch | s/epoch plain Keras | s/epoch skae | speed-up "
        "(per-fit range) | final loss plain | final loss skae | floor s/epoch | "
        "plain / floor | skae / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lo, hi = r["speedup_range"]
        lines.append(
            f"| {r['backend']} | {r['model']} | {r['batch_size']} | "
            f"{r['seed_s_per_epoch']:.3f} | {r['skae_s_per_epoch']:.3f} | "
            f"{r['speedup']:.2f}x ({lo:.2f}-{hi:.2f}) | {r['seed_loss']:.4f} | "
            f"{r['skae_loss']:.4f} | {r['floor_s']:.3f} | {r['seed_x_floor']:.1f} | "
            f"{r['skae_x_floor']:.1f} |"
        )
    print("\n".join(lines))
    print(f"\n{rows[0]['epochs']} epochs per fit, {rows[0]['repeats']} fits of each, "
          "alternating; medians over all epochs but each fit's first.")


def cmd_small(args):
    import keras

    xtr = _mnist()[0][: args.rows]
    lines = ["| model | plain Keras fit s | skae fit s | skae / plain |", "|---|---|---|---|"]
    for name in args.models.split(","):
        x, batch = _tutorial_inputs(name, xtr)
        fits = {"plain": (_fit_plain, x), "skae": (_fit_skae, xtr)}
        times = {"plain": [], "skae": []}
        for rep in range(args.repeats + 1):
            for who in (("plain", "skae") if rep % 2 == 0 else ("skae", "plain")):
                fit, data = fits[who]
                start = time.perf_counter()
                fit(name, data, args.epochs, batch)
                if rep:  # the first round pays the process' start-up
                    times[who].append(time.perf_counter() - start)
        plain, ours = statistics.median(times["plain"]), statistics.median(times["skae"])
        lines.append(f"| {name} | {plain:.2f} | {ours:.2f} | {ours / plain:.2f} |")
    print("\n".join(lines))
    print(f"\n{keras.backend.backend()}, {args.rows} rows, {args.epochs} epochs, "
          f"medians of {args.repeats} whole fits each, alternating.")


def cmd_transform(args):
    from sklearn.decomposition import PCA

    from skae import DenseAutoencoder

    xtr, _, xte, _ = _mnist()
    ae = DenseAutoencoder(32, hidden_layer_sizes=(), code_activation="relu", distance_weight=0,
                          linear_path=False, epochs=2, batch_size=256, random_state=0).fit(xtr)
    pca = PCA(32, random_state=0).fit(xtr)
    lines = ["| rows | PCA.transform ms | DenseAutoencoder(32).transform ms | ratio | "
             "Keras predict ms |", "|---|---|---|---|---|"]
    for n in (1, 100, 10000):
        x = xte[:n]
        timings = {}
        for label, f in (("pca", pca.transform), ("skae", ae.transform),
                         ("predict", lambda v: ae.encoder_.predict(v, verbose=0))):
            f(x)
            reps = 20 if label == "predict" else max(20, 2000 // max(1, n // 100))
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(reps):
                    f(x)
                samples.append((time.perf_counter() - start) / reps * 1e3)
            timings[label] = min(samples)
        lines.append(f"| {n} | {timings['pca']:.3f} | {timings['skae']:.3f} | "
                     f"{timings['skae'] / timings['pca']:.2f} | {timings['predict']:.2f} |")
    print("\n".join(lines))


def cmd_import(args):
    def fresh(stmt):
        code = ("import time, sys; t = time.perf_counter(); " + stmt +
                "; d = time.perf_counter() - t; "
                "print(d, 'keras' in sys.modules, 'tensorflow' in sys.modules)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                             text=True, check=True, cwd=os.path.dirname(HERE))
        t, keras_loaded, tf_loaded = out.stdout.split()
        return float(t), keras_loaded == "True" or tf_loaded == "True"

    rows = []
    for _ in range(args.repeats):  # interleaved, so load affects both alike
        rows.append((fresh("import sklearn.base")[0], fresh("import skae")))
    base = statistics.median(r[0] for r in rows)
    skae_t = statistics.median(r[1][0] for r in rows)
    heavy = any(r[1][1] for r in rows)
    print(f"| import sklearn.base | import skae | difference | keras/tensorflow loaded |\n"
          f"|---|---|---|---|\n| {base:.3f} s | {skae_t:.3f} s | {skae_t - base:+.3f} s | "
          f"{'yes' if heavy else 'no'} |\n(median of {args.repeats} fresh processes each)")


def cmd_memory(args):
    code = f"""
import resource, sys
sys.path.insert(0, {HERE!r}); sys.path.insert(0, {os.path.dirname(HERE)!r})
from _common import mnist_flat
xtr, _, _, _ = mnist_flat()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from skae import DenseAutoencoder
DenseAutoencoder(32, hidden_layer_sizes=(), distance_weight=0, linear_path=False, epochs=2,
                 batch_size=256, random_state=0).fit(xtr)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before / 1024, after / 1024, xtr.nbytes / 2**20)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    before, after, data = map(float, out.stdout.split()[-3:])
    print(f"| data (MiB) | peak RSS after loading data (MiB) | peak RSS after fit (MiB) |\n"
          f"|---|---|---|\n| {data:.0f} | {before:.0f} | {after:.0f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("train")
    p.add_argument("--backends", default="tensorflow,jax")
    p.add_argument("--models", default="simple,deep,conv")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--repeats", type=int, default=3)
    p = sub.add_parser("_train_inner")
    p.add_argument("--models", default="simple,deep,conv")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--repeats", type=int, default=3)
    p = sub.add_parser("small")
    p.add_argument("--models", default="simple,deep,conv")
    p.add_argument("--rows", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--repeats", type=int, default=5)
    sub.add_parser("transform")
    p = sub.add_parser("import")
    p.add_argument("--repeats", type=int, default=7)
    sub.add_parser("memory")
    args = parser.parse_args()
    if args.cmd == "_train_inner":
        train_one_backend(args.models.split(","), args.epochs, args.repeats)
    else:
        {"train": cmd_train, "small": cmd_small, "transform": cmd_transform,
         "import": cmd_import, "memory": cmd_memory}[args.cmd](args)


if __name__ == "__main__":
    main()
