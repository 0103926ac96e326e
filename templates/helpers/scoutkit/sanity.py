"""Cheap sanity experiments that catch bugs before GPU days are spent.

Each check is one function that returns a CheckResult; print it for a one-line PASS or FAIL that
says what was measured and, on failure, where to look. None of them changes the model you pass:
they work on a copy.

    from scoutkit import sanity
    for result in sanity.run_all(model, train_loader, loss_fn, out_dir="out"):
        print(result)

Batches are (inputs, labels) pairs; inputs are one tensor that the model takes as its only
argument, labels are class indices (N,)."""

from __future__ import annotations

import copy
import cProfile
import math
import os
import pstats
import sysconfig
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

CHECKS = ("overfit_single_batch", "label_leak", "train_eval_mode", "activation_ranges", "profile_data_loading",
          "augmented_grid")  # what run_all returns, in order
Batch = tuple[torch.Tensor, torch.Tensor]
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.message}"


def _trainable_copy(model: nn.Module) -> tuple[nn.Module, list[nn.Parameter]]:
    clone = copy.deepcopy(model)
    clone.train()
    return clone, [p for p in clone.parameters() if p.requires_grad]


def _no_gradient(model: nn.Module) -> list[str]:
    """Trainable parameters that the last backward pass never reached."""
    return [name for name, p in model.named_parameters() if p.requires_grad and p.grad is None]


def overfit_single_batch(model: nn.Module, batch: Batch, loss_fn: LossFn = F.cross_entropy, *,
                         steps: int = 300, lr: float = 3e-3, target: float = 0.05) -> CheckResult:
    """Train on one batch until the loss is near zero. A model that cannot memorise 64 examples
    has a bug (a detached graph, a frozen layer, a wrong loss), not a capacity problem."""
    name = "overfit_single_batch"
    model, params = _trainable_copy(model)
    x, y = batch
    optimizer = torch.optim.Adam(params, lr=lr)
    first = last = math.nan
    starved: list[str] = []
    step = 0
    for step in range(1, steps + 1):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        if not loss.requires_grad:
            return CheckResult(name, False, "the loss does not depend on any trainable parameter: is the "
                               "graph detached (.detach(), .item(), torch.no_grad() inside forward)?")
        loss.backward()
        if step == 1:
            first, starved = loss.item(), _no_gradient(model)
        optimizer.step()
        last = loss.item()
        if last < target / 2:
            break
    model.eval()  # measured without dropout noise, as the model will be used
    with torch.no_grad():
        final = loss_fn(model(x), y).item()
    details = {"first_loss": first, "final_loss": final, "steps": step, "no_gradient": starved}
    if final <= target:
        return CheckResult(name, True, f"loss {first:.3g} -> {final:.3g} in {step} steps on one batch of "
                           f"{len(x)}", details)
    hint = (f"; no gradient reaches {len(starved)} parameter tensors ({', '.join(starved[:3])}"
            f"{', ...' if len(starved) > 3 else ''}): is part of the graph detached?" if starved else
            ": check the loss, the labels and the learning rate")
    return CheckResult(name, False, f"loss {first:.3g} -> {final:.3g} after {step} steps, above {target}: the "
                       f"model cannot memorise one batch{hint}", details)


def _leak_labels(x: torch.Tensor, y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Add a fixed random pattern per class to the inputs: the label becomes plainly visible."""
    generator = torch.Generator().manual_seed(0)
    patterns = torch.randn((num_classes, *x.shape[1:]), generator=generator).to(x.device, x.dtype)
    scale = 2 * max(float(x.float().std()), 1.0)
    return x + scale * patterns[y]


def label_leak(model: nn.Module, train_batch: Batch, held_out: Batch, loss_fn: LossFn = F.cross_entropy, *,
               steps: int = 200, lr: float = 1e-3, target: float = 0.9,
               leak: Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor] | None = None) -> CheckResult:
    """Feed the labels in as part of the input: the network must find the trivial solution fast and
    get unseen samples right. If it cannot, labels and inputs are misaligned, the loss does not match
    the label encoding, or the input never reaches the output."""
    name = "label_leak"
    leak = leak or _leak_labels
    model, params = _trainable_copy(model)
    (x, y), (hx, hy) = train_batch, held_out
    with torch.no_grad():
        num_classes = model.eval()(x[:1]).shape[-1]
    model.train()
    x, hx = leak(x, y, num_classes), leak(hx, hy, num_classes)
    optimizer = torch.optim.Adam(params, lr=lr)
    accuracy, step = 0.0, 0
    for step in range(1, steps + 1):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        if not loss.requires_grad:
            return CheckResult(name, False, "the loss does not depend on any trainable parameter")
        loss.backward()
        optimizer.step()
        if step % 10 == 0 or step == steps:
            model.eval()
            with torch.no_grad():
                accuracy = (model(hx).argmax(-1) == hy).float().mean().item()
            model.train()
            if accuracy >= target:
                break
    details = {"held_out_accuracy": accuracy, "steps": step, "num_classes": num_classes}
    if accuracy >= target:
        return CheckResult(name, True, f"with the labels fed in, unseen samples reach accuracy {accuracy:.2f} "
                           f"in {step} steps", details)
    return CheckResult(name, False, f"with the labels fed in, unseen samples reach only accuracy {accuracy:.2f} "
                       f"after {step} steps (chance is {1 / num_classes:.2f}): check that labels line up with "
                       "inputs and match the loss, and that the input reaches the output", details)


_MODE_LAYERS = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)


def train_eval_mode(model: nn.Module, x: torch.Tensor) -> CheckResult:
    """Dropout and batch-norm must behave differently under model.train() and model.eval(), and
    eval() must be deterministic. A model stuck in train mode reports noisy validation numbers."""
    name = "train_eval_mode"
    model = copy.deepcopy(model)  # a train-mode forward updates batch-norm statistics
    layers = [n for n, m in model.named_modules() if isinstance(m, _MODE_LAYERS)]
    model.eval()
    stuck = [n or type(model).__name__ for n, m in model.named_modules() if m.training]
    with torch.no_grad():
        first, second = model(x), model(x)
        model.train()
        trained = model(x)
    details = {"mode_layers": layers, "stuck_in_train": stuck}
    if stuck:
        return CheckResult(name, False, f"after model.eval() these modules still train: {', '.join(stuck[:5])}: "
                           "does a train() override ignore its argument?", details)
    if not torch.allclose(first, second, rtol=1e-5, atol=1e-6):
        return CheckResult(name, False, "two forward passes in eval mode differ: something stays random at eval "
                           "time (F.dropout(..., training=True)? a hard-coded training flag?)", details)
    if not layers:
        return CheckResult(name, True, "no dropout or batch-norm layers, so both modes compute the same thing",
                           details)
    difference = (trained - first).abs().max().item()
    details["max_difference"] = difference
    if difference == 0:
        return CheckResult(name, False, f"the model has {len(layers)} dropout/batch-norm layers but train() and "
                           "eval() give identical outputs: does forward ignore self.training?", details)
    return CheckResult(name, True, f"eval is deterministic and differs from train (max |diff| {difference:.3g}) "
                       f"across {len(layers)} dropout/batch-norm layers", details)


def _first_tensor(value) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        return next((t for t in map(_first_tensor, value) if t is not None), None)
    if isinstance(value, dict):
        return next((t for t in map(_first_tensor, value.values()) if t is not None), None)
    return None


def _range(tensor: torch.Tensor | None) -> dict | None:
    if tensor is None or not tensor.is_floating_point() or tensor.numel() == 0:
        return None
    t = tensor.detach().float()
    finite = t[torch.isfinite(t)]
    return {
        "min": finite.min().item() if finite.numel() else math.nan,
        "max": finite.max().item() if finite.numel() else math.nan,
        "abs_max": finite.abs().max().item() if finite.numel() else math.nan,
        "nan": bool(torch.isnan(t).any()),
        "inf": bool(torch.isinf(t).any()),
        "zero_fraction": (t == 0).float().mean().item(),
    }


def _problems(stats: dict, explode: float, dead: float) -> list[str]:
    out = stats["output"]
    if out is None:
        return []
    found = [word for word, flag in (("NaN", out["nan"]), ("Inf", out["inf"])) if flag]
    if out["abs_max"] > explode:
        found.append(f"exploding (|x| up to {out['abs_max']:.3g})")
    if out["zero_fraction"] >= dead:
        found.append(f"dead ({out['zero_fraction']:.0%} zeros)")
    return found


def activation_ranges(model: nn.Module, x: torch.Tensor, *, explode: float = 1e4, dead: float = 0.99) -> CheckResult:
    """Forward hooks on every module record its input and output ranges for one batch; NaN, Inf,
    exploding (|x| > explode) and dead (at least `dead` of outputs exactly zero) activations fail,
    naming the first module where the trouble starts."""
    name = "activation_ranges"
    model = copy.deepcopy(model).train()  # batch statistics, as during training
    rows: list[dict] = []

    def hook(module_name: str):
        def record(module, inputs, output):
            rows.append({"module": module_name, "type": type(module).__name__,
                         "input": _range(_first_tensor(inputs)), "output": _range(_first_tensor(output))})
        return record

    handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if n]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    for row in rows:
        row["problems"] = _problems(row, explode, dead)
    flagged = [r for r in rows if r["problems"]]
    details = {"modules": rows, "flagged": [r["module"] for r in flagged]}
    if not flagged:
        widest = max((r["output"]["abs_max"] for r in rows if r["output"]), default=0.0)
        return CheckResult(name, True, f"{len(rows)} module outputs are finite, live and bounded "
                           f"(largest |x| {widest:.3g})", details)
    first = flagged[0]  # hooks fire in execution order, so this is where the trouble starts
    return CheckResult(name, False, f"{len(flagged)} of {len(rows)} modules flagged; it starts at "
                       f"{first['module']} ({first['type']}): {', '.join(first['problems'])}", details)


def format_ranges(result: CheckResult) -> str:
    """The per-module table of an activation_ranges result, one line per module."""
    lines = [f"{'module':30} {'type':14} {'input range':>24} {'output range':>24}  problems"]
    for row in result.details.get("modules", []):
        spans = [f"[{r['min']:.3g}, {r['max']:.3g}]" if r else "-" for r in (row["input"], row["output"])]
        lines.append(f"{row['module'][:30]:30} {row['type'][:14]:14} {spans[0]:>24} {spans[1]:>24}  "
                     f"{', '.join(row['problems'])}")
    return "\n".join(lines)


def _is_user_code(filename: str) -> bool:
    """Code of the experiment, not of Python, installed packages, or this module."""
    if filename == "~" or filename.startswith("<") or filename == __file__:
        return False
    if "site-packages" in filename or "dist-packages" in filename:
        return False
    return not filename.startswith((sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")))


def _top_functions(profile: cProfile.Profile, top: int) -> tuple[list[str], list[str]]:
    """(the experiment's functions by cumulative time, any functions by their own time)."""
    stats = pstats.Stats(profile).stats  # {(file, line, function): (calls, prim, own time, cumulative, callers)}

    def label(key, seconds: float) -> str:
        filename, line, function = key
        where = f"{os.path.basename(filename)}:{line}" if filename != "~" else "builtin"
        return f"{function} ({where}, {seconds * 1000:.0f} ms)"

    own = [k for k in sorted(stats, key=lambda k: stats[k][2], reverse=True)
           if not (k[0] == "~" and "disable" in k[2])]  # the profiler switching itself off
    yours = sorted((k for k in stats if _is_user_code(k[0])), key=lambda k: stats[k][3], reverse=True)
    return [label(k, stats[k][3]) for k in yours[:top]], [label(k, stats[k][2]) for k in own[:top]]


def profile_data_loading(loader: Iterable, step: Callable[[object], object], *, batches: int = 10,
                         threshold: float = 0.5, top: int = 5,
                         clock: Callable[[], float] = time.perf_counter) -> CheckResult:
    """Time fetching each batch against the training step on it. When loading takes more than
    `threshold` of the time, profile the loading with cProfile and name the top functions.
    `clock` is there for tests, which count work instead of timing it."""
    name = "profile_data_loading"
    load_s = step_s = 0.0
    seen = 0
    iterator = iter(loader)
    for _ in range(batches):
        started = clock()
        try:
            batch = next(iterator)
        except StopIteration:
            break
        loaded = clock()
        step(batch)
        if torch.cuda.is_available():
            torch.cuda.synchronize()  # kernels run asynchronously: time them to the end
        step_s += clock() - loaded
        load_s += loaded - started
        seen += 1
    if not seen:
        return CheckResult(name, False, "the loader yielded no batches")
    share = load_s / max(load_s + step_s, 1e-12)
    details = {"batches": seen, "load_ms": 1000 * load_s / seen, "step_ms": 1000 * step_s / seen, "share": share}
    timing = f"loading is {share:.0%} of each step ({details['load_ms']:.1f} ms load, {details['step_ms']:.1f} ms step)"
    if share <= threshold:
        return CheckResult(name, True, timing, details)
    profile = cProfile.Profile()
    iterator = iter(loader)
    profile.enable()
    for _ in range(seen):
        next(iterator, None)
    profile.disable()
    yours, own = _top_functions(profile, top)
    details.update(your_functions=yours, top_functions=own)
    workers = getattr(loader, "num_workers", 0)
    note = " (worker processes are not profiled: set num_workers=0 to see inside them)" if workers else ""
    return CheckResult(name, False, f"{timing}; loading dominates{note}. Your slowest loading code: "
                       f"{'; '.join(yours) or 'none'}. Most own time: {'; '.join(own)}", details)


def save_augmented_grid(batch: Batch, path: str | Path, *, count: int = 32, columns: int = 8) -> CheckResult:
    """Save a grid of training samples exactly as the model sees them (after augmentation), titled
    with their labels. Look at it: flipped digits, black images and wrong labels show at once."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    name = "augmented_grid"
    x, y = batch
    images = x[:count].detach().cpu().float()
    if images.dim() == 3:
        images = images.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    if images.dim() != 4:
        return CheckResult(name, False, f"expected image batches (N, C, H, W), got shape {tuple(x.shape)}")
    blank = int((images.flatten(1).std(dim=1) == 0).sum())
    rows = math.ceil(len(images) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.2, rows * 1.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, label in zip(axes.flat, images, y[:count].tolist()):
        low, high = image.min(), image.max()
        image = (image - low) / (high - low) if high > low else image * 0  # (C, H, W) in [0, 1]
        if image.shape[0] == 3:
            ax.imshow(image.permute(1, 2, 0).numpy())
        else:
            ax.imshow(image[0].numpy(), cmap="gray")
        ax.set_title(str(label), fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    details = {"path": str(path), "count": len(images), "blank": blank}
    if blank:
        return CheckResult(name, False, f"{blank} of {len(images)} samples are blank (constant): see {path}", details)
    return CheckResult(name, True, f"saved {len(images)} augmented training samples to {path}: look at them",
                       details)


def run_all(model: nn.Module, loader: Iterable, loss_fn: LossFn = F.cross_entropy, *,
            out_dir: str | Path = "out", quick: bool = False) -> list[CheckResult]:
    """Every check once, on the first two batches of the training loader. quick=True trains the
    copies for fewer steps (smoke runs and tests)."""
    batches = iter(loader)
    first, second = next(batches), next(batches)
    steps = 150 if quick else 300
    x = first[0]

    probe = copy.deepcopy(model).train()  # the timed steps must not touch the caller's model

    def train_step(batch):
        loss_fn(probe(batch[0]), batch[1]).backward()
        probe.zero_grad(set_to_none=True)

    return [
        overfit_single_batch(model, first, loss_fn, steps=steps),
        label_leak(model, first, second, loss_fn, steps=steps),
        train_eval_mode(model, x),
        activation_ranges(model, x),
        profile_data_loading(loader, train_step, batches=5 if quick else 20),
        save_augmented_grid(first, Path(out_dir) / "augmented.png"),
    ]
