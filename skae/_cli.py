"""Command-line interface: ``skae tour`` (also ``python -m skae tour``)."""

import argparse
import logging
import shlex
import sys

from . import __version__
from ._backend import quiet_framework_logs


def _error_line(text):
    """The command line's one-line error report, on standard error."""
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()


class _UsageError(Exception):
    """A bad command line: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def build_parser():
    from ._tour import MODEL_NAMES

    parser = _Parser(prog="skae", description="Keras autoencoders as "
                     "scikit-learn transformers.")
    parser.add_argument("--version", action="version", version=f"skae {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=_Parser)
    tour = sub.add_parser(
        "tour", help="train the Keras tutorial's autoencoders and write a report",
        description="Train the Keras autoencoder tutorial's models (simple, "
        "sparse, deep, conv, denoising, sequence, vae), compare each with PCA "
        "of the same code size, draw a parametric t-SNE map of the held-out "
        "test digits, and write report.html, report.md and PNG figures to "
        "--out.",
    )
    tour.add_argument("--data", metavar="PATH",
                      help="Keras-layout mnist.npz (x_train, y_train, x_test, "
                      "y_test); default: scikit-learn's bundled 8x8 digits")
    tour.add_argument("--out", metavar="DIR", default="skae-tour",
                      help="output directory (default: %(default)s)")
    tour.add_argument("--models", metavar="LIST", default=",".join(MODEL_NAMES),
                      help="comma-separated models to train (default: all: "
                      "%(default)s); the full tour also draws a parametric t-SNE "
                      "map of the test digits, which a subset skips")
    tour.add_argument("--quick", action="store_true",
                      help="2 epochs on 300 training images: a smoke test of the "
                      "install with barely trained models, about half a minute on 2 "
                      "CPU cores (the full tour about 2 to 6 minutes)")
    tour.add_argument("--epochs-scale", metavar="F", type=_positive_float,
                      default=1.0, help="train every model for F x 50 epochs instead "
                      "of the number each one picks for the data (epochs='auto'; "
                      "default F: %(default)s, i.e. 'auto')")
    tour.add_argument("--n-train", metavar="N", type=_positive_int, default=None,
                      help="train on a random subset of N training images")
    tour.add_argument("--random-state", metavar="N", type=int, default=0,
                      help="seed of the split, subsets and models (default: 0)")
    tour.add_argument("--quiet", action="store_true", help="no progress output")
    tour.add_argument("--debug", action="store_true",
                      help="show tracebacks of unexpected errors")
    return parser


def _configure_logging(quiet):
    """A stderr handler on skae's loggers for this run; returns a cleanup."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = []
    log = logging.getLogger("skae.tour")
    saved.append((log, log.level, log.propagate))
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False
    # TensorFlow warns about retracing as each new model compiles: noise here.
    tf_log = logging.getLogger("tensorflow")
    saved.append((tf_log, tf_log.level, tf_log.propagate))
    tf_log.setLevel(logging.ERROR)

    def cleanup():
        for log, level, propagate in saved:
            if handler in log.handlers:
                log.removeHandler(handler)
            log.setLevel(level)
            log.propagate = propagate

    return cleanup


def _tour(args, argv):
    from ._tour import TourConfig, run_tour

    config = TourConfig(
        data=args.data, out=args.out, models=args.models, quick=args.quick,
        epochs_scale=args.epochs_scale, n_train=args.n_train,
        random_state=args.random_state, progress=not args.quiet,
    )
    command = "skae " + " ".join(shlex.quote(a) for a in argv)
    run_tour(config, command=command)
    return 0


def main(argv=None):
    """Run the ``skae`` command; return the exit status.

    Errors in the input (a missing or malformed data file, an unknown model,
    a bad option) are reported as one line on stderr, without a traceback.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 1 for an error in the input or run, 2 for a bad
        command line.
    """
    quiet_framework_logs()
    argv = list(sys.argv[1:] if argv is None else argv)
    from ._tour import TourError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        _error_line(str(exc))
        return 2
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    if args.command is None:
        parser.print_help(sys.stderr)
        _error_line("skae: error: a command is required (e.g. skae tour)")
        return 2
    cleanup = _configure_logging(args.quiet)
    try:
        return _tour(args, argv)
    except TourError as exc:
        _error_line(f"skae {args.command}: error: {exc}")
        return 1
    except KeyboardInterrupt:
        _error_line(f"skae {args.command}: interrupted")
        return 130
    except Exception as exc:  # one line, unless --debug
        if args.debug:
            raise
        message = str(exc).strip().splitlines()
        message = message[0] if message else ""
        _error_line(f"skae {args.command}: error: {type(exc).__name__}: {message} "
                    "(rerun with --debug for the traceback)")
        return 1
    finally:
        cleanup()
