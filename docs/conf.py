"""Sphinx configuration for skae's documentation.

Build (from the project root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Set ``SKAE_DOCS_OFFLINE=1`` to build without network access: intersphinx
(links to scikit-learn, NumPy, Matplotlib and Python) is then turned off.
Set ``SKAE_DOCS_NO_EXAMPLES=1`` to render the gallery without running the
examples (quick checks of the text only).
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The examples draw with a non-interactive backend, and Keras stays quiet.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import skae  # noqa: E402

OFFLINE = os.environ.get("SKAE_DOCS_OFFLINE", "") not in ("", "0")
RUN_EXAMPLES = os.environ.get("SKAE_DOCS_NO_EXAMPLES", "") in ("", "0")

project = "skae"
author = "The skae developers"
copyright = "The skae developers, BSD-3-Clause"
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
if not OFFLINE:
    extensions.append("sphinx.ext.intersphinx")

templates_path = ["_templates"]
exclude_patterns = ["_build", "README.md", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"

# -- autodoc / autosummary / numpydoc -------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
# numpydoc lists the methods itself in the class template; avoid duplicates.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()


def _escape_types(app, what, name, obj, options, lines):
    """Keep the type of a numpydoc ``name : type`` line from being markup.

    Types such as ``ndarray of shape (n_features_in_,)`` or
    ``(n_samples, *shape)`` would otherwise read as a link target or as
    emphasis; runs before numpydoc.
    """
    for i, line in enumerate(lines):
        match = _PARAM_LINE.match(line)
        if not match or "`" in match.group(2):
            continue
        kind = _MARKUP.sub(lambda m: "\\" + m.group(0), match.group(2))
        lines[i] = match.group(1) + kind


_PARAM_LINE = re.compile(r"^([A-Za-z_*][\w*]*(?:, [A-Za-z_*][\w*]*)* : )(.+)$")
_MARKUP = re.compile(r"\*|(?<=\w)_(?=\W|$)")


def setup(app):
    app.connect("autodoc-process-docstring", _escape_types, priority=400)


# -- intersphinx (online builds only) --------------------------------------
# Keras publishes no Sphinx inventory; Keras names link to keras.io by hand.
intersphinx_mapping = {}
if not OFFLINE:
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }
intersphinx_timeout = 10

# -- sphinx-gallery --------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": "True" if RUN_EXAMPLES else "False",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    # Each example trains a small network; report the time each one took.
    "min_reported_time": 0,
    "capture_repr": (),
    "show_memory": False,
    "reset_modules": ("matplotlib",),
    "reset_modules_order": "before",
    # "Examples using X" on each API page.
    "doc_module": ("skae",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": True,
}

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
}

