"""Checks on the documentation: docstrings, the API page and the examples.

- every public name of skae (``skae.__all__``, ``skae.plotting.__all__`` and
  the public functions of ``skae.datasets``) has a docstring with an
  "Examples" section and an entry in ``docs/api.rst``, and ``docs/api.rst``
  lists nothing that is not public;
- the gallery examples are well-formed, and two of them run as scripts;
- ``docs/conf.py`` turns intersphinx off when ``SKAE_DOCS_OFFLINE=1``;
- the user guide's claim that a saved network loads in safe mode holds;
- the user guide's ``>>>`` examples (the "Write your own autoencoder"
  section) run as a doctest.
"""

import doctest
import inspect
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import skae
import skae.datasets
import skae.plotting

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
API_RST = DOCS / "api.rst"

# Examples run by test_examples_run_as_scripts: quick ones, in one process.
RUN_EXAMPLES = ["plot_simple_autoencoder.py", "plot_anomaly_scores.py"]


def _public_names():
    """``(qualified name, object)`` for every public name of skae."""
    names = [(f"skae.{n}", getattr(skae, n)) for n in skae.__all__]
    names += [(f"skae.plotting.{n}", getattr(skae.plotting, n))
              for n in skae.plotting.__all__]
    names += [
        (f"skae.datasets.{n}", obj)
        for n, obj in vars(skae.datasets).items()
        if not n.startswith("_")
        and inspect.isfunction(obj)
        and obj.__module__ == "skae.datasets"
    ]
    return names


PUBLIC = _public_names()
PUBLIC_IDS = [name for name, _ in PUBLIC]


def _api_entries(text):
    """Qualified names listed in the autosummary blocks of an .rst text."""
    entries = set()
    module = None
    in_autosummary = False
    for line in text.splitlines():
        stripped = line.strip()
        match = re.match(r"\.\. currentmodule:: (\S+)", stripped)
        if match:
            module = match.group(1)
            in_autosummary = False
            continue
        if stripped.startswith(".. autosummary::"):
            in_autosummary = True
            continue
        if not in_autosummary:
            continue
        if not line.startswith((" ", "\t")) and stripped:
            in_autosummary = False  # dedented text ends the directive
            continue
        if not stripped or stripped.startswith(":"):
            continue  # blank line or directive option
        name = stripped.lstrip("~")
        entries.add(name if module is None or name.startswith(module + ".")
                    else f"{module}.{name}")
    return entries


def test_public_names_found():
    # Guards the tests below against an empty list: the three sources of
    # public names each contribute.
    prefixes = {name.rsplit(".", 1)[0] for name in PUBLIC_IDS}
    assert {"skae", "skae.plotting", "skae.datasets"} <= prefixes
    assert "skae.datasets.load_digits_images" in PUBLIC_IDS
    assert "skae.DenseAutoencoder" in PUBLIC_IDS


@pytest.mark.parametrize("name, obj", PUBLIC, ids=PUBLIC_IDS)
def test_public_name_has_docstring_with_examples(name, obj):
    doc = inspect.getdoc(obj)
    assert doc and doc.strip(), f"{name} has no docstring"
    summary = doc.strip().splitlines()[0]
    assert len(summary) > 10, f"{name}: the summary line {summary!r} is too short"
    assert re.search(r"^Examples\n-{8,}\n", doc, flags=re.M), (
        f"{name}'s docstring has no numpydoc 'Examples' section"
    )
    examples = doc.split("Examples\n--------", 1)[1]
    assert ">>>" in examples, f"{name}'s Examples section has no >>> line"


@pytest.mark.parametrize("name", PUBLIC_IDS)
def test_public_name_listed_in_api_rst(name):
    entries = _api_entries(API_RST.read_text(encoding="utf-8"))
    assert name in entries, f"{name} is missing from an autosummary in docs/api.rst"


def test_api_rst_lists_only_public_names():
    entries = _api_entries(API_RST.read_text(encoding="utf-8"))
    assert entries, "docs/api.rst has no autosummary entries"
    extra = sorted(entries - set(PUBLIC_IDS))
    assert not extra, f"docs/api.rst lists names that are not public: {extra}"


def test_api_entries_parser():
    text = (
        ".. currentmodule:: pkg\n\n.. autosummary::\n   :toctree: generated/\n\n"
        "   A\n   ~pkg.B\n\nProse mentioning C.\n\n"
        ".. currentmodule:: pkg.sub\n\n.. autosummary::\n\n   f\n"
    )
    assert _api_entries(text) == {"pkg.A", "pkg.B", "pkg.sub.f"}


def _examples():
    return sorted(EXAMPLES.glob("plot_*.py"))


def test_examples_are_well_formed():
    files = _examples()
    assert len(files) >= 11, f"expected the 11 gallery examples, found {len(files)}"
    assert (EXAMPLES / "README.txt").is_file(), "sphinx-gallery needs examples/README.txt"
    for path in files:
        source = path.read_text(encoding="utf-8")
        match = re.match(r'"""\n(=+)\n(.+)\n(=+)\n', source)
        assert match, f"{path.name} must start with a docstring titled in ===="
        over, title, under = match.groups()
        assert len(over) >= len(title) and len(under) >= len(title), (
            f"{path.name}: the title's over/underline is shorter than the title"
        )
        compile(source, str(path), "exec")  # syntax
        assert "random_state" in source, f"{path.name} is not seeded"


def test_run_examples_exist():
    for name in RUN_EXAMPLES:
        assert (EXAMPLES / name).is_file(), name


def test_examples_run_as_scripts(tmp_path):
    # Both scripts in one interpreter, so Keras is imported once.
    code = (
        "import runpy, sys\n"
        "for path in sys.argv[1:]:\n"
        "    runpy.run_path(path, run_name='__main__')\n"
        "    print('EXAMPLE-DONE', path, flush=True)\n"
    )
    env = dict(os.environ, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(
                   [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    paths = [str(EXAMPLES / name) for name in RUN_EXAMPLES]
    proc = subprocess.run(
        [sys.executable, "-c", code, *paths],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    done = [line.split()[1] for line in proc.stdout.splitlines()
            if line.startswith("EXAMPLE-DONE")]
    assert done == paths
    # What the examples print is what they claim.
    assert "loss: binary_crossentropy, code size: 16" in proc.stdout
    aucs = [float(x) for x in re.findall(r"ROC AUC, .*: ([0-9.]+)", proc.stdout)]
    assert len(aucs) == 2 and all(0.5 < a <= 1.0 for a in aucs), proc.stdout


@pytest.mark.parametrize("offline", [True, False])
def test_conf_intersphinx_switch(monkeypatch, offline):
    # conf.py sets defaults in os.environ: give it a copy to change.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    if offline:
        monkeypatch.setenv("SKAE_DOCS_OFFLINE", "1")
    else:
        monkeypatch.delenv("SKAE_DOCS_OFFLINE", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))  # conf.py inserts the root
    conf = runpy.run_path(str(DOCS / "conf.py"))
    has_intersphinx = "sphinx.ext.intersphinx" in conf["extensions"]
    assert has_intersphinx is (not offline)
    assert bool(conf["intersphinx_mapping"]) is (not offline)
    if not offline:
        assert {"sklearn", "numpy"} <= set(conf["intersphinx_mapping"])
    assert conf["version"] == skae.__version__
    assert "numpydoc" in conf["extensions"]
    assert "sphinx_gallery.gen_gallery" in conf["extensions"]


def test_saved_network_loads_in_safe_mode_with_skae_load_model(tmp_path):
    # The user guide's claim: a network saved with ``est.model_.save`` loads
    # with ``skae.load_model(path)`` (Keras safe mode on) and no
    # custom_objects in a fresh process.
    from skae import DenseAutoencoder
    from skae.datasets import load_digits_images

    images, _ = load_digits_images()
    X = images[:64].reshape(64, -1)
    ae = DenseAutoencoder(2, epochs=1, random_state=0).fit(X)
    path = tmp_path / "autoencoder.keras"
    ae.model_.save(path)
    code = (
        "import sys, numpy as np\n"
        "import skae\n"
        "model = skae.load_model(sys.argv[1])\n"
        "np.save(sys.argv[2], np.asarray(model.predict(np.load(sys.argv[3]), verbose=0)))\n"
    )
    np = pytest.importorskip("numpy")
    np.save(tmp_path / "X.npy", X)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "R.npy"),
         str(tmp_path / "X.npy")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "R.npy"), ae.reconstruct(X),
                               rtol=1e-5, atol=1e-6)


def test_user_guide_doctests():
    # The user guide's >>> examples run as written: today those of "Write
    # your own autoencoder", a complete model (builder plus BaseAutoencoder
    # subclass) fitted for two epochs on the digits (seconds, plus Keras's
    # import when no other test has imported it).
    path = DOCS / "user_guide.rst"
    test = doctest.DocTestParser().get_doctest(
        path.read_text(encoding="utf-8"), {}, path.name, str(path), 0)
    sources = [example.source for example in test.examples]
    assert any("(BaseAutoencoder):" in s for s in sources), (
        "the user guide's example of a new model is not a doctest any more")
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    result = runner.run(test, out=report.append)
    assert result.attempted > 0
    assert result.failed == 0, "".join(report)
