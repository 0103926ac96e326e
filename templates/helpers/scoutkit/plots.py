"""plot_curves(): training and validation loss on one figure, with the final gap annotated.

A widening gap is overfitting; curves that never separate but stay high are underfitting. One PNG
per run, beside the run's checkpoint, makes the two easy to tell apart at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def plot_curves(train_loss: Sequence[float], val_loss: Sequence[float], path: str | Path = "out/curves.png",
                *, steps: Sequence[float] | None = None, xlabel: str = "epoch", title: str | None = None) -> Path:
    """Save the two curves to `path` (PNG) and return it. `steps` are the x values (default 1..n)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed: clusters and CI have none
    import matplotlib.pyplot as plt

    if len(train_loss) != len(val_loss) or not len(train_loss):
        raise ValueError(f"need as many training as validation losses (got {len(train_loss)} and {len(val_loss)})")
    xs = list(steps) if steps is not None else list(range(1, len(train_loss) + 1))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    ax.plot(xs, train_loss, marker="o", markersize=3, label="train")
    ax.plot(xs, val_loss, marker="o", markersize=3, label="validation")
    x, train, val = xs[-1], float(train_loss[-1]), float(val_loss[-1])
    gap = val - train
    ax.annotate("", xy=(x, val), xytext=(x, train), arrowprops={"arrowstyle": "<->", "color": "0.3"})
    # Loss curves fall, so the space under the legend is free for the label.
    ax.annotate(f"gap {gap:+.3g}\n(validation - train)", xy=(x, (train + val) / 2), xytext=(0.96, 0.7),
                textcoords="axes fraction", ha="right", va="center", fontsize=9, color="0.2",
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.7"},
                arrowprops={"arrowstyle": "-", "color": "0.6"})
    ax.margins(x=0.06)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss")
    ax.set_title(title or f"final train {train:.3g}, validation {val:.3g}")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
