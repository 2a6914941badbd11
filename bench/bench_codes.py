"""Record each model's codes on the bundled digits, or compare with a record.

A refactor must not change what the models compute: with a fixed
``random_state`` every estimator gives the same codes on CPU. Run this on the
code before the change with ``--save codes.npz`` and after it with
``--compare codes.npz``; the codes must agree to float32 precision.

    python bench/bench_codes.py --save /tmp/codes_before.npz
    python bench/bench_codes.py --compare /tmp/codes_before.npz
"""

import argparse
import sys

import numpy as np


def models():
    """The estimators compared, small enough to fit in seconds."""
    from skae import (
        ConvAutoencoder,
        DenseAutoencoder,
        ParametricTSNE,
        SequenceAutoencoder,
        VariationalAutoencoder,
    )

    common = dict(epochs=2, random_state=0)
    return {
        "dense": DenseAutoencoder(8, noise_factor=0.1, **common),
        "dense_val": DenseAutoencoder(4, validation_fraction=0.2, **common),
        "conv": ConvAutoencoder(8, filters=(8, 16), **common),
        "conv_map": ConvAutoencoder(None, filters=(8,), pooling="max", **common),
        "vae": VariationalAutoencoder(2, hidden_layer_sizes=(32,), **common),
        "vae_conv": VariationalAutoencoder(
            2, image_shape=(8, 8), filters=(8,), hidden_layer_sizes=(16,),
            **common),
        "sequence": SequenceAutoencoder((8, 8), 4, batch_size=64, **common),
        "tsne": ParametricTSNE(2, batch_size=128, **common),
    }


def codes():
    """Codes of the first 300 digits under each model, fitted on them."""
    from skae.datasets import load_digits_images

    images, _ = load_digits_images()
    X = images.reshape(len(images), -1)[:300].astype(np.float32)
    out = {}
    for name, est in models().items():
        out[name] = np.asarray(est.fit(X).transform(X), dtype=np.float32)
        print(f"{name}: {out[name].shape}", flush=True)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", metavar="NPZ")
    group.add_argument("--compare", metavar="NPZ")
    args = parser.parse_args(argv)
    found = codes()
    if args.save:
        np.savez(args.save, **found)
        return 0
    reference = np.load(args.compare)
    failed = [name for name in reference.files
              if name not in found
              or not np.allclose(found[name], reference[name], rtol=1e-5, atol=1e-6)]
    for name in reference.files:
        if name in found:
            gap = float(np.max(np.abs(found[name] - reference[name])))
            print(f"{name}: max |difference| {gap:.3g}")
    print("same codes" if not failed else f"DIFFERENT: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
