"""Tests of ``skae tour``: a quick run end to end, and clean errors."""

import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skae._cli import main  # noqa: E402
from skae._tour import (  # noqa: E402
    MODEL_NAMES,
    TourConfig,
    load_tour_data,
    make_model,
)


def _expected_pngs(models):
    pngs = {"reconstructions.png", "loss_curves.png"}
    for name in models:
        pngs.add("denoising.png" if name == "denoising"
                 else f"reconstructions_{name}.png")
        if name in ("simple", "sparse", "conv"):
            pngs.add(f"codes_{name}.png")
        if name == "vae":
            pngs |= {"vae_latent.png", "vae_manifold.png"}
    if set(models) & {"simple", "sparse", "deep", "sequence", "conv"}:
        pngs.add("tsne.png")
    if tuple(models) == MODEL_NAMES:  # the full tour only
        pngs.add("tsne_map.png")
    return pngs


def _check_png(path):
    img = mpimg.imread(path)
    assert img.ndim == 3 and img.shape[0] >= 150 and img.shape[1] >= 150, img.shape
    rgb = img[..., :3]
    assert rgb.std() > 0.02, f"{path.name} is (nearly) blank"
    # Something besides the white background is drawn on a good share of it.
    assert np.mean(rgb.mean(axis=-1) < 0.9) > 0.02, f"{path.name} is mostly empty"


def _check_report(out, models):
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for name in models:
        assert re.search(rf"<td>{name}</td>", html), name
        assert re.search(rf"^\| {name} \|", md, re.M), name
    referenced = set(re.findall(r'<img src="([^"]+\.png)"', html))
    expected = _expected_pngs(models)
    assert referenced == expected
    assert set(re.findall(r"\]\(([^)]+\.png)\)", md)) == expected
    for png in expected:
        _check_png(out / png)
    # Every model's row has a finite MSE and a probe accuracy, for the model
    # and for PCA; each row PCA wins is explained under the table.
    header = re.search(r"^\| model \|(.*)\|$", md, re.M).group(1)
    columns = [c.strip() for c in header.split("|")]
    assert columns[3:8] == ["test MSE", "probe acc.", "PCA comps", "PCA test MSE",
                            "PCA probe acc."]
    for row in re.findall(r"^\| (\w+) \|.*$", md, re.M):
        if row == "model":
            continue
        cells = [c.strip() for c in
                 re.search(rf"^\| {row} \|(.*)\|$", md, re.M).group(1).split("|")]
        mse, acc, pca_mse, pca_acc = (float(cells[i]) for i in (3, 4, 6, 7))
        assert 0 <= mse < 1 and 0 <= pca_mse < 1
        assert 0 <= acc <= 1 and 0 <= pca_acc <= 1
        if pca_mse < mse:
            assert re.search(rf"^- PCA.* better than .*\b{row}\b", md, re.M), row
    # Numeric columns are right-aligned, header and cells alike.
    assert re.search(r'<th class="num">test MSE</th>', html)
    assert re.search(r'<th>test input</th>', html)
    assert len(re.findall(r'<td class="num">', html)) == 8 * len(models)


@pytest.fixture(scope="module")
def quick_tour(tmp_path_factory):
    out = tmp_path_factory.mktemp("tour")
    models = MODEL_NAMES
    status = main(["tour", "--quick", "--quiet", "--out", str(out),
                   "--models", ",".join(models)])
    return status, out, models


def test_tour_catalogue_makes_the_tutorial_models():
    # The seven tutorial models, in its order, each with its estimator and
    # the parameters of its role on the 8x8 digits.
    assert MODEL_NAMES == ("simple", "sparse", "deep", "conv", "denoising",
                           "sequence", "vae")
    data = load_tour_data()
    models = {name: make_model(name, data, TourConfig()) for name in MODEL_NAMES}
    assert {name: type(est).__name__ for name, est in models.items()} == {
        "simple": "DenseAutoencoder", "sparse": "DenseAutoencoder",
        "deep": "DenseAutoencoder", "conv": "ConvAutoencoder",
        "denoising": "ConvAutoencoder", "sequence": "SequenceAutoencoder",
        "vae": "VariationalAutoencoder",
    }
    assert models["simple"].hidden_layer_sizes == ()
    assert models["sparse"].activity_l1 == 1e-4
    assert models["denoising"].noise_factor == 0.5
    assert models["conv"].image_shape == (8, 8, 1)
    assert models["sequence"].sequence_shape == (8, 8)
    assert models["vae"].n_components == 2
    assert all(est.n_components == 16 for name, est in models.items()
               if name != "vae")
    # Each model with its defaults: epochs="auto" everywhere.
    assert all(est.epochs == "auto" for est in models.values())
    assert models["sequence"].architecture == "bidirectional"
    assert all(est.validation_fraction == 0.1 and est.random_state == 0
               for est in models.values())
    quick = make_model("sequence", data, TourConfig(quick=True))
    assert quick.epochs == 2


def test_quick_tour_in_process(quick_tour):
    status, out, models = quick_tour
    assert status == 0
    assert "simple" in models
    _check_report(out, models)
    # A quick report says first that it is a smoke test.
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.splitlines()[2].startswith("**Smoke test (--quick)")
    assert "barely trained" in md.splitlines()[2]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.index('class="smoke"') < html.index("<table>")
    # The full tour's parametric t-SNE map of the test digits, with its 5-NN
    # accuracy (a subset of models skips it: test_quick_tour_as_module).
    caption = re.search(r'<img src="tsne_map.png".*?<figcaption>(.*?)</figcaption>',
                        html).group(1)
    assert "never seen in fit" in caption
    acc = float(re.search(r"classifies (\d+)% of these test digits", caption)[1])
    assert 0 <= acc <= 100


def test_quick_tour_as_module(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "skae", "tour", "--quick", "--models", "simple",
         "--out", str(out)],
        capture_output=True, text=True, env=_env(), timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    # Progress: one line when each model starts and ends, and nothing from the
    # frameworks (TensorFlow's start-up notices) in between.
    assert "[1/1] simple: DenseAutoencoder" in proc.stderr
    assert "[1/1] simple: done" in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert all(re.match(r"(data: |--quick: |\[1/1\] simple: |t-SNE |wrote )", line)
               for line in lines), proc.stderr[-2000:]
    _check_report(out, ("simple",))


def _env():
    # The command sets TensorFlow's log level itself, as for a user who has not.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return env


def _run_error(capsys, argv):
    status = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert status != 0
    assert "Traceback" not in err
    assert len(lines) == 1, err
    return lines[0]


def test_unknown_model(capsys, tmp_path):
    line = _run_error(capsys, ["tour", "--models", "simple,nope", "--out",
                               str(tmp_path)])
    assert "unknown model" in line and "'nope'" in line and "vae" in line


def test_missing_and_malformed_data(capsys, tmp_path):
    line = _run_error(capsys, ["tour", "--quick", "--data", str(tmp_path / "none.npz"),
                               "--out", str(tmp_path / "o")])
    assert "no data file" in line and "none.npz" in line
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a zip archive")
    line = _run_error(capsys, ["tour", "--quick", "--data", str(bad),
                               "--out", str(tmp_path / "o")])
    assert "bad.npz" in line and "not a readable" in line
    partial = tmp_path / "partial.npz"
    np.savez(partial, x_train=np.zeros((5, 4, 4), np.uint8))
    line = _run_error(capsys, ["tour", "--quick", "--data", str(partial),
                               "--out", str(tmp_path / "o")])
    assert "lacks the arrays" in line


def test_bad_options(capsys, tmp_path):
    line = _run_error(capsys, ["tour", "--epochs-scale", "-1"])
    assert "--epochs-scale" in line and "positive" in line
    line = _run_error(capsys, ["tour", "--epochs-scale", "abc"])
    assert "--epochs-scale" in line
    line = _run_error(capsys, ["tour", "--n-train", "0"])
    assert "--n-train" in line
    line = _run_error(capsys, ["tour", "--bogus"])
    assert "unrecognized arguments: --bogus" in line
    line = _run_error(capsys, ["walk"])
    assert "invalid choice" in line
    target = tmp_path / "file"
    target.write_text("x")
    line = _run_error(capsys, ["tour", "--quick", "--models", "simple", "--out",
                               str(target)])
    assert "not a directory" in line
    assert main(["--version"]) == 0
    assert "skae" in capsys.readouterr().out


def test_errors_from_the_command_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "skae", "tour", "--models", "fancy"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env=_env(),
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "skae tour: error: unknown model(s) 'fancy'; choose from "
        + ", ".join(MODEL_NAMES) + "."
    ]
