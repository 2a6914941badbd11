"""The tour's report: the results table, the notes and the figures, as
Markdown and as a standalone HTML page.

Everything here formats what :mod:`skae._tour` measured (its ``ModelResult``
rows, ``TourData`` and the list of figures); nothing trains or draws.
"""

import html
import math

import numpy as np

# (name, numeric): numeric columns are right-aligned, header and cells alike.
_COLUMNS = (("model", False), ("estimator", False), ("code size", True),
            ("test input", False), ("test MSE", True), ("probe acc.", True),
            ("PCA comps", True), ("PCA test MSE", True), ("PCA probe acc.", True),
            ("epochs", True), ("train time (s)", True))
_HEADER = tuple(name for name, _ in _COLUMNS)


def _accuracy(value):
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _rows(results):
    for r in results:
        yield (r.name, type(r.estimator).__name__, str(r.code_size), r.input_kind,
               f"{r.mse:.4f}", _accuracy(r.probe_acc), str(r.pca_components),
               f"{r.pca_mse:.4f}", _accuracy(r.pca_probe_acc), str(r.epochs),
               f"{r.fit_time:.1f}")


def markdown_table(results):
    """The results table as GitHub Markdown."""
    lines = ["| " + " | ".join(_HEADER) + " |",
             "|" + "|".join("---:" if num else "---" for _, num in _COLUMNS) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    return "\n".join(lines)


def _smoke_note(data, config):
    """The warning at the top of a ``--quick`` report (None otherwise)."""
    if not config.quick:
        return None
    return (f"Smoke test (--quick): each model was trained for 2 epochs on "
            f"{len(data.X_train)} images, so the models are barely trained. The "
            "numbers and figures below show that the tour runs, not what the "
            "models can do; run skae tour without --quick for results.")


def _intro(data, results, total_time):
    chance = 1.0 / max(len(np.unique(data.y_train)), 1)
    return (
        f"Data: {data.name}; {len(data.X_train)} training and {len(data.X_test)} "
        f"test images, pixels scaled to [0, 1]. Test MSE: mean squared "
        f"reconstruction error per pixel on the test set (for the denoiser, noisy "
        f"test inputs against the clean digits), next to PCA keeping as many "
        f"components as the model's code has values (at most {data.n_features}). "
        f"Probe acc.: accuracy on the test codes of a logistic regression fitted "
        f"on the training images' codes and labels (chance {chance:.0%}), for the "
        f"model's codes and for PCA's. The models are trained on binary "
        f"cross-entropy per pixel (the VAE on its negative ELBO), the loss of the "
        f"loss curves; their score method returns minus that loss, not the MSE. "
        f"10% of the training data is held out for the validation loss. "
        f"Total time {total_time:.0f} s."
    )


def _still_improving(estimator):
    """True if the validation (else training) loss was lowest in the last
    tenth of the epochs."""
    history = getattr(estimator, "history_", {}) or {}
    loss = history.get("val_loss") or history.get("loss") or []
    if len(loss) < 2:
        return True
    return int(np.argmin(loss)) >= len(loss) - max(1, len(loss) // 10)


def _pca_notes(results, data, config):
    """One sentence for each model that PCA reconstructs better, with why."""
    beaten = [r for r in results if r.pca_mse < r.mse]
    if config.quick and beaten:
        return [f"PCA of the same size reconstructs better than "
                f"{', '.join(r.name for r in beaten)}: the 2 epochs of a smoke "
                "test are too few to train a network."]
    notes = []
    for r in beaten:
        if r.pca_variance >= 0.95:
            why = (f"{r.pca_components} of the {data.n_features} pixel dimensions "
                   f"keep {r.pca_variance:.0%} of the training images' variance, "
                   "so PCA is nearly lossless at this size")
        elif _still_improving(r.estimator):
            why = (f"its validation loss was still falling after {r.epochs} "
                   "epochs, so it needs more training")
        else:
            why = (f"its validation loss had levelled off by {r.epochs} epochs, and "
                   "at this code size its network reconstructs these images less "
                   "well than a linear projection")
        notes.append(f"PCA({r.pca_components}) reconstructs better than {r.name} "
                     f"(test MSE {r.pca_mse:.4f} against {r.mse:.4f}): {why}.")
    return notes


_CSS = """\
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
th.num, td.num { text-align: right; }
.smoke { border: 2px solid #c60; background: #fff4e5; padding: 0.6em 1em; }
figure { margin: 2em 0; } img { max-width: 100%; }
figcaption { color: #555; font-style: italic; }"""


def _markdown_report(head, results, notes, figures):
    smoke, intro, command, versions = head
    md = ["# skae tour", ""]
    if smoke:
        md += [f"**{smoke}**", ""]
    md += [intro, "", f"Command: `{command}`  ", versions, "",
           markdown_table(results), ""]
    md += [f"- {note}" for note in notes] + ([""] if notes else [])
    for filename, title, caption in figures:
        md += [f"![{title}]({filename})", "", f"*{caption}*", ""]
    return "\n".join(md)


def _html_report(head, results, notes, figures):
    esc = html.escape
    smoke, intro, command, versions = head
    nums = [num for _, num in _COLUMNS]

    def cell(tag, text, num):
        attr = ' class="num"' if num else ""
        return f"<{tag}{attr}>{esc(text)}</{tag}>"

    header = "".join(cell("th", h, n) for h, n in zip(_HEADER, nums))
    rows = "\n".join("<tr>" + "".join(cell("td", c, n) for c, n in zip(row, nums))
                     + "</tr>" for row in _rows(results))
    figs = "\n".join(
        f'<figure><img src="{esc(f)}" alt="{esc(t)}"><figcaption>{esc(c)}'
        f"</figcaption></figure>" for f, t, c in figures
    )
    smoke = f'<p class="smoke"><strong>{esc(smoke)}</strong></p>\n' if smoke else ""
    notes = "".join(f"<li>{esc(n)}</li>" for n in notes)
    notes = f"<ul>{notes}</ul>\n" if notes else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>skae tour</title>
<style>
{_CSS}
</style></head><body>
<h1>skae tour</h1>
{smoke}<p>{esc(intro)}</p>
<p>Command: <code>{esc(command)}</code><br>{esc(versions)}</p>
<table><thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody></table>
{notes}{figs}
</body></html>
"""


def write_reports(out, data, results, figures, config, total_time, command):
    import sklearn

    from . import __version__
    from ._backend import get_keras

    keras = get_keras()
    versions = (f"skae {__version__}, keras {keras.__version__} "
                f"({keras.backend.backend()} backend), scikit-learn "
                f"{sklearn.__version__}")
    head = (_smoke_note(data, config), _intro(data, results, total_time), command,
            versions)
    notes = _pca_notes(results, data, config)
    (out / "report.md").write_text(_markdown_report(head, results, notes, figures),
                                   encoding="utf-8")
    (out / "report.html").write_text(_html_report(head, results, notes, figures),
                                     encoding="utf-8")
