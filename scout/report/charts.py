"""The report's plots as SVG text (matplotlib, no pyplot, so no global figure state or GUI backend).

Text stays text in the SVG (svg.fonttype none): matplotlib escapes it, the page stays small, and
labels can be searched and copied. Labels come from logs and repos, so mathtext is switched off
by escaping every dollar sign."""

from __future__ import annotations

import io

from scout.report.model import BaselineRow, Experiment
from scout.text import visible

MAX_METRICS = 6
MAX_RUNS = 8
MEASURED, CLAIMED = "#2b6cb0", "#dd8452"


def _text(label: str) -> str:
    # A metric name from a repo: its controls shown, not drawn; "$" is not mathtext.
    return visible(label).replace("$", r"\$")


def _svg(figure) -> str:
    import matplotlib

    # A fixed salt keeps clip-path ids, and so the file, the same from one run to the next.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "scout-report"}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    # Inline in HTML: no XML prolog or DOCTYPE, just the <svg> element.
    return text[text.index("<svg") :]


def _short_repo(url: str) -> str:
    parts = url.rstrip("/").removesuffix(".git").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else url


def claims_chart(rows: tuple[BaselineRow, ...]) -> str | None:
    """One panel per metric: each run's measured value beside the value its paper claims."""
    from matplotlib.figure import Figure

    measured = [r for r in rows if r.status == "ok" and r.metrics]
    names: list[str] = []
    for row in measured:
        names.extend(m.name for m in row.metrics if m.name not in names)
    if not names:
        return None
    claimed = {m.name for r in measured for m in r.metrics if m.paper is not None}
    # Metrics with a claim to compare against come first.
    names = sorted(names, key=lambda n: n not in claimed)[:MAX_METRICS]
    figure = Figure(figsize=(min(4.2 * len(names), 12.6), 3.4), layout="constrained")
    axes = figure.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        runs = [r for r in measured if any(m.name == name for m in r.metrics)][:MAX_RUNS]
        lines = [next(m for m in r.metrics if m.name == name) for r in runs]
        xs = range(len(runs))
        ax.bar([x - 0.2 for x in xs], [m.measured for m in lines], width=0.4, color=MEASURED, label="measured")
        ax.bar(
            [x + 0.2 for x in xs],
            [m.paper if m.paper is not None else 0.0 for m in lines],
            width=0.4,
            color=CLAIMED,
            label="paper",
        )
        for x, line in zip(xs, lines):
            ax.annotate(f"{line.measured:.4g}", (x - 0.2, line.measured), ha="center", va="bottom", fontsize=7)
            if line.paper is not None:
                ax.annotate(f"{line.paper:.4g}", (x + 0.2, line.paper), ha="center", va="bottom", fontsize=7)
            else:
                ax.annotate("no claim", (x + 0.2, 0), ha="center", va="bottom", fontsize=7, color="#666")
        ax.set_xticks(list(xs), [_text(f"{_short_repo(r.repo)}\n{r.id}") for r in runs], fontsize=7)
        ax.set_title(_text(name), fontsize=10)
        # Room for at least three runs, so one run's bars stay bars rather than walls.
        ax.set_xlim(-0.7, max(len(runs), 3) - 0.3)
        ax.margins(y=0.15)
        ax.spines[["top", "right"]].set_visible(False)
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside upper right", ncols=2, fontsize=8, frameon=False)
    return _svg(figure)


def curves_chart(experiment: Experiment) -> str | None:
    """Loss curves of every run on one panel (train dashed, validation solid), and one panel for
    each other curve the runs record (validation accuracy, say)."""
    from matplotlib.figure import Figure

    runs = [r for r in experiment.runs if r.history][-MAX_RUNS:]
    if not runs:
        return None
    keys: list[str] = []
    for run in runs:
        keys.extend(k for k in run.history if k not in keys)
    others = [k for k in keys if "loss" not in k]
    panels = (["loss"] if any("loss" in k for k in keys) else []) + others[: MAX_METRICS - 1]
    figure = Figure(figsize=(min(4.6 * len(panels), 13.8), 3.4), layout="constrained")
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    palette = [f"C{i}" for i in range(10)]
    for ax, panel in zip(axes, panels):
        for i, run in enumerate(runs):
            for key, values in run.history.items():
                if (panel == "loss" and "loss" not in key) or (panel != "loss" and key != panel):
                    continue
                style = "--" if key.startswith("train") else "-"
                label = f"run {run.run} {key}" if len(runs) > 1 or panel == "loss" else f"run {run.run}"
                ax.plot(range(1, len(values) + 1), values, style, color=palette[i % 10], marker=".", label=_text(label))
        ax.set_title(_text(panel), fontsize=10)
        ax.set_xlabel("epoch", fontsize=8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False)
    return _svg(figure)
