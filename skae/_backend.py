"""Lazy access to Keras and its backend.

Nothing in this module imports Keras at import time: ``import skae`` stays cheap
and Keras (with TensorFlow, JAX or PyTorch behind it) is loaded on the first fit,
transform or unpickle.
"""

import os
import re
import sys
import tempfile
import threading

#: TensorFlow's C++ log level when the user has not set one: 3 keeps INFO,
#: WARNING and ERROR lines off stderr (TensorFlow's errors still raise in
#: Python). ``TF_CPP_MIN_LOG_LEVEL=0`` before the first fit shows them all.
DEFAULT_TF_LOG_LEVEL = "3"

# A line in Abseil's log format:
# "I0000 00:00:1795648378.479017   15986 port.cc:153] oneDNN custom operations..."
_ABSL_LINE = re.compile(rb"^([IWEF])\d{4} [\d:.]+ +\d+ [^ \]]+:\d+\] ")
_ABSL_BANNER = b"WARNING: All log messages before absl::InitializeLog() is called"
_SEVERITY = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}

_load_lock = threading.Lock()


def quiet_framework_logs():
    """Set TensorFlow's C++ log level unless the user has; return the level.

    Has an effect only before TensorFlow is first imported. A value already in
    the environment is kept (``os.environ.setdefault``).

    Returns
    -------
    level : int
        The log level in force: lines below it are not shown (0 shows all).
    """
    value = os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", DEFAULT_TF_LOG_LEVEL)
    try:
        return int(value)
    except ValueError:
        return 0


def filter_framework_lines(text, level):
    """Drop the lines of ``text`` (bytes) that TensorFlow's log level hides.

    TensorFlow applies ``TF_CPP_MIN_LOG_LEVEL`` only once its logging is set
    up: the lines its libraries write while they load (Abseil's "All log
    messages before absl::InitializeLog()" notice, oneDNN and CUDA-driver
    notices, a failed ``cuInit`` on a machine without a GPU) ignore it. This
    drops every Abseil-format line of a severity below ``level`` (with the
    lines that continue it) and, from level 1 on, the notice; other lines stay.

    Parameters
    ----------
    text : bytes
        What was written to standard error.
    level : int
        ``TF_CPP_MIN_LOG_LEVEL``: 1 hides INFO lines, 2 also WARNING, 3 also
        ERROR.

    Returns
    -------
    kept : bytes
        The lines of ``text`` that stay, in order.
    """
    kept, dropping = [], False
    for line in text.splitlines(keepends=True):
        match = _ABSL_LINE.match(line)
        if match:
            dropping = _SEVERITY[match.group(1)] < level
        elif line.startswith(_ABSL_BANNER):
            dropping = level >= 1
        # Any other line continues the one before it (a multi-line message).
        if not dropping:
            kept.append(line)
    return b"".join(kept)


class _FilteredStderr:
    """Route file descriptor 2 to a temporary file; on exit, write back the
    lines that :func:`filter_framework_lines` keeps.

    The C++ libraries write to the descriptor directly, below ``sys.stderr``.
    Without a usable descriptor 2 (some embedded interpreters) it does nothing.
    """

    def __init__(self, level):
        self.level = level
        self._saved = self._file = None

    def __enter__(self):
        try:
            sys.stderr.flush()
            self._saved = os.dup(2)
            self._file = tempfile.TemporaryFile()
            os.dup2(self._file.fileno(), 2)
        except (OSError, ValueError, AttributeError):
            self._close()
        return self

    def __exit__(self, *exc_info):
        if self._saved is None:
            return False
        try:
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass
        os.dup2(self._saved, 2)
        self._file.seek(0)
        kept = filter_framework_lines(self._file.read(), self.level)
        if kept:
            os.write(2, kept)
        self._close()
        return False

    def _close(self):
        if self._saved is not None:
            os.close(self._saved)
        if self._file is not None:
            self._file.close()
        self._saved = self._file = None


def _load_keras():
    """Import Keras for the first time, with the framework's start-up lines
    filtered; on TensorFlow, look up the devices now (that is when a machine
    without a GPU logs its failed ``cuInit``)."""
    level = quiet_framework_logs()
    with _FilteredStderr(level):
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices()
    return keras


def get_keras():
    """Import Keras and skae's registered layers; return the ``keras`` module.

    The first call sets ``TF_CPP_MIN_LOG_LEVEL`` to
    :data:`DEFAULT_TF_LOG_LEVEL` unless it is set, and keeps TensorFlow's
    start-up log lines below that level off stderr (see
    :func:`filter_framework_lines`). Keras's own output (the progress bar of
    ``verbose``) is untouched.
    """
    if "keras" not in sys.modules:
        with _load_lock:
            if "keras" not in sys.modules:
                _load_keras()
    import keras

    # Importing these modules registers skae's layers and losses with Keras'
    # serialization, so that saved models load in safe mode without
    # ``custom_objects``.
    from ._nets import layers, tsne, vae  # noqa: F401

    return keras


def unshare_averaged_weights(keras, model):
    """Give each weight of ``model`` its own buffer after a fit (JAX only).

    An optimizer with ``use_ema=True`` ends ``fit`` by assigning the moving
    averages to the model's weights; on JAX each weight then shares its
    buffer with its average, and the next ``fit`` of the same model (a warm
    start, a second ``partial_fit``) donates that buffer twice and fails
    ("Attempt to donate the same buffer twice"). A copy of each weight ends
    the sharing; the values are unchanged.
    """
    if (keras.backend.backend() != "jax"
            or not getattr(model.optimizer, "use_ema", False)):
        return
    for variable in model.trainable_variables:
        variable.assign(keras.ops.convert_to_numpy(variable))


def seed_stream(random_state):
    """Yield fresh integer seeds drawn from a ``RandomState``-like object.

    Each Keras initializer or random layer needs its own seed: reusing one seed
    would give identical weights in every layer. ``None`` yields ``None`` forever,
    leaving Keras to draw from its own unseeded generator.
    """
    if random_state is None:
        while True:
            yield None
    while True:
        yield int(random_state.randint(0, 2**31 - 1))
