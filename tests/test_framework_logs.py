"""A first fit in a fresh process writes no framework log lines to stderr,
unless the user asked for them with ``TF_CPP_MIN_LOG_LEVEL``."""

import re

from skae._backend import filter_framework_lines

# Runs in a fresh process: sets or unsets TF_CPP_MIN_LOG_LEVEL as argv[1] says,
# sends file descriptor 2 (where TensorFlow's C++ code writes) to a file, fits
# once, and reports what reached it.
_FIRST_FIT = """
import json, os, sys, tempfile

level = sys.argv[1]
if level == "unset":
    os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
else:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = level
saved = os.dup(2)
with tempfile.TemporaryFile() as err:
    os.dup2(err.fileno(), 2)
    from skae import DenseAutoencoder
    from skae.datasets import load_digits_images

    images, _ = load_digits_images()
    X = images.reshape(len(images), -1)[:200]
    est = DenseAutoencoder(4, epochs=2, random_state=0).fit(X)
    sys.stderr.flush()
    os.dup2(saved, 2)
    err.seek(0)
    text = err.read().decode("utf-8", "replace")
print(json.dumps({"stderr": text, "level": os.environ.get("TF_CPP_MIN_LOG_LEVEL"),
                  "epochs": len(est.history_["loss"])}))
"""

# What TensorFlow writes while it loads on a machine without a GPU.
_NOISE = re.compile(r"absl::InitializeLog|oneDNN|cuda|cuInit|^[IWEF]\d{4} ", re.M)


def test_first_fit_writes_no_framework_lines(run_python):
    out = run_python(_FIRST_FIT, "unset")
    assert out["epochs"] == 2
    assert out["level"] == "3"
    assert not _NOISE.search(out["stderr"]), out["stderr"][:2000]


def test_user_log_level_is_kept(run_python):
    # The user asked for every line: skae changes and hides nothing.
    out = run_python(_FIRST_FIT, "0")
    assert out["level"] == "0"
    assert re.search(r"^I\d{4} ", out["stderr"], re.M), out["stderr"][:2000]


def test_filter_keeps_lines_at_or_above_the_level():
    text = (
        b"WARNING: All log messages before absl::InitializeLog() is called are "
        b"written to STDERR\n"
        b"I0000 00:00:1795648378.479017   15986 port.cc:153] oneDNN custom "
        b"operations are on.\n"
        b"I0000 00:00:1795648378.873781   15986 cpu_feature_guard.cc:227] This "
        b"TensorFlow binary is optimized\n"
        b"To enable the following instructions: AVX2 FMA\n"
        b"E0000 00:00:1795648382.430804   15986 cuda_platform.cc:52] failed call "
        b"to cuInit\n"
        b"a line of the user's own\n"
    )
    lines = text.splitlines(keepends=True)
    assert filter_framework_lines(text, 0) == text
    assert filter_framework_lines(text, 1) == b"".join(lines[4:])
    assert filter_framework_lines(text, 3) == b""
    assert filter_framework_lines(lines[-1], 3) == lines[-1]
