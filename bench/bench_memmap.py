"""Fit from a memory-mapped array bigger than the memory skae may use.

Usage:
    python bench/bench_memmap.py [--rows 1000000] [--epochs 1] [--path FILE]

Writes a ``rows x 784`` float32 file (real MNIST training images, each copy
shifted by up to two pixels and lightly noised, so it is not one image set
repeated verbatim; 1,000,000 rows are 2.9 GiB), then, in a fresh process,
opens it with ``np.memmap(mode="r")`` and fits ``DenseAutoencoder(32)`` for
the given epochs with a validation fraction of 0.1. A sampler thread reads
the process's resident memory (``VmRSS``, and its anonymous and file-backed
parts) every 50 ms; the report gives the peaks, the kernel's high-water mark
``VmHWM`` (not ``ru_maxrss``: on Linux a child process inherits its parent's
peak through ``fork``/``exec``, here the writer of the file), the
resident memory of the same process after a fit on a 4,000-row memmap (the
cost of TensorFlow and Keras themselves, their libraries included), the seconds taken and the final losses.
The file is deleted afterwards unless ``--keep`` is given.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _common import machine, mnist_flat  # noqa: E402

CHILD = r"""
import json, os, sys, threading, time
import numpy as np

def status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    return out

peaks = {"VmRSS": 0, "RssAnon": 0, "RssFile": 0}
stop = False

def sample():
    while not stop:
        for key, value in status().items():
            peaks[key] = max(peaks.get(key, 0), value)
        time.sleep(0.05)

path, rows, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
from skae import DenseAutoencoder

# The baseline: Keras and TensorFlow loaded, and the code paths of a memmap
# fit run once on a small memmap (TensorFlow's libraries are file-backed
# memory too, mapped in as their code first runs).
small_path = path + ".small"
small = np.memmap(small_path, dtype=np.float32, mode="w+", shape=(4000, 784))
small[:] = np.random.RandomState(0).rand(4000, 784)
small.flush()
DenseAutoencoder(32, hidden_layer_sizes=(), code_activation="relu", distance_weight=0,
                 linear_path=False, epochs=1, batch_size=256, validation_fraction=0.1, random_state=0).fit(
    np.memmap(small_path, dtype=np.float32, mode="r", shape=(4000, 784)))
os.remove(small_path)
baseline = status()

X = np.memmap(path, dtype=np.float32, mode="r", shape=(rows, 784))
thread = threading.Thread(target=sample, daemon=True)
thread.start()
start = time.perf_counter()
ae = DenseAutoencoder(32, hidden_layer_sizes=(), code_activation="relu",
                      distance_weight=0, linear_path=False, epochs=epochs, batch_size=256,
                      validation_fraction=0.1, random_state=0).fit(X)
seconds = time.perf_counter() - start
codes = ae.transform(X[:10000])
stop = True
thread.join()
print(json.dumps({
    "baseline": baseline, "peaks": peaks,
    "hwm_mib": status()["VmHWM"],
    "seconds": seconds, "history": ae.history_, "codes_shape": list(codes.shape),
}))
"""


def write_data(path, rows, chunk=20000, seed=0):
    x_train = mnist_flat()[0].reshape(-1, 28, 28)
    rng = np.random.RandomState(seed)
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, 784))
    for start in range(0, rows, chunk):
        stop = min(rows, start + chunk)
        pick = rng.randint(0, len(x_train), stop - start)
        images = x_train[pick].astype(np.float32) / 255.0
        dy, dx = rng.randint(-2, 3, size=2)
        images = np.roll(images, (dy, dx), axis=(1, 2))
        images += rng.uniform(0, 0.05, images.shape).astype(np.float32)
        out[start:stop] = np.clip(images, 0, 1).reshape(stop - start, 784)
    out.flush()
    del out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--path", default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    path = args.path or os.path.join(tempfile.gettempdir(), "skae_bench_memmap.f32")
    if not (os.path.exists(path) and os.path.getsize(path) == args.rows * 784 * 4):
        write_data(path, args.rows)
    data_mib = os.path.getsize(path) / 2**20
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, path, str(args.rows), str(args.epochs)],
            capture_output=True, text=True, env=env,
        )
    finally:
        if not args.keep:
            os.remove(path)
    if out.returncode:
        sys.exit(out.stderr[-4000:])
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"Machine: {machine()}")
    print(f"Data: {args.rows} x 784 float32 memmap, {data_mib:.0f} MiB on disk; "
          f"DenseAutoencoder(32), {args.epochs} epoch(s), batch 256, "
          f"validation_fraction 0.1; fit took {r['seconds']:.1f} s; "
          f"final loss {r['history']['loss'][-1]:.4f}, "
          f"val_loss {r['history']['val_loss'][-1]:.4f}\n")
    b, p = r["baseline"], r["peaks"]
    print("| resident memory (MiB) | total (VmRSS) | anonymous | file-backed |")
    print("|---|---|---|---|")
    print(f"| after import and a fit on a small memmap | {b['VmRSS']:.0f} | "
          f"{b['RssAnon']:.0f} | {b['RssFile']:.0f} |")
    print(f"| peak during the memmap fit (sampled every 50 ms) | {p['VmRSS']:.0f} | "
          f"{p['RssAnon']:.0f} | {p['RssFile']:.0f} |")
    print(f"\nPeak resident memory of the process (VmHWM, the kernel's "
          f"high-water mark): {r['hwm_mib']:.0f} MiB, "
          f"{r['hwm_mib'] / data_mib:.2f} of the data's size ({data_mib:.0f} MiB).")


if __name__ == "__main__":
    main()
