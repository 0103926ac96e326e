"""Train the small CNN of model.py on scikit-learn's digits, validate every epoch, record the run.

    python train.py config/smoke.py              # CPU, under a minute: every part of the pipeline
    python train.py                              # config/default.py: about 0.98 validation accuracy
    python train.py --optimizer=sgd --epochs=60  # any config key can be overridden
    torchrun --standalone --nproc_per_node=4 train.py   # DistributedDataParallel, one process per GPU

With several GPUs visible and ddp = "auto", train.py relaunches itself under torchrun. Each run
first runs every sanity check once (scoutkit.sanity), then trains with a cosine learning-rate
schedule, then writes <out_dir>/model.pt and <out_dir>/curves.png and appends the run to
runs.jsonl and EXPERIMENTS.md with the git commit and a hash of the code. Commit before you run.
"""

from __future__ import annotations

import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

from config import load_config
from data import make_loaders
from model import Net
from scoutkit import plot_curves, record_run, sanity, seed_everything


def relaunch_under_torchrun(cfg) -> None:
    """Several GPUs and no torchrun yet: start one process per GPU (never returns)."""
    count = torch.cuda.device_count()
    if cfg.ddp != "auto" or "RANK" in os.environ or count < 2 or cfg.device not in ("auto", "cuda"):
        return
    print(f"{count} GPUs visible: relaunching under torchrun (ddp='off' keeps one GPU)", flush=True)
    os.execv(sys.executable, [sys.executable, "-m", "torch.distributed.run", "--standalone",
                              f"--nproc_per_node={count}", *sys.argv])


def setup_device(cfg) -> tuple[int, int, torch.device]:
    """(rank, world size, device). torchrun sets RANK, WORLD_SIZE and LOCAL_RANK for each process."""
    if "RANK" not in os.environ:
        name = ("cuda" if torch.cuda.is_available() else "cpu") if cfg.device == "auto" else cfg.device
        return 0, 1, torch.device(name)
    rank, world, local = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    on_gpu = torch.cuda.is_available() and cfg.device != "cpu"
    if on_gpu:
        torch.cuda.set_device(local)
    dist.init_process_group("nccl" if on_gpu else "gloo")
    return rank, world, torch.device("cuda", local) if on_gpu else torch.device("cpu")


def make_optimizer(cfg, params) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def mean_across_ranks(value: float, device: torch.device, world: int) -> float:
    if world == 1:
        return value
    total = torch.tensor([value], device=device)
    dist.all_reduce(total)
    return total.item() / world


@torch.no_grad()
def evaluate(model, batches) -> tuple[float, float]:
    """(mean loss, accuracy) over the whole validation split."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    for x, y in batches:  # x (B, 1, 8, 8), y (B,)
        logits = model(x)  # (B, 10)
        loss_sum += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
        count += len(y)
    return loss_sum / count, correct / count


def main(argv: list[str]) -> dict:
    cfg = load_config(argv)
    relaunch_under_torchrun(cfg)
    rank, world, device = setup_device(cfg)
    main_process = rank == 0
    seed_everything(cfg.seed + rank)  # DDP copies rank 0's weights; the rank offset varies augmentation
    train_batches, val_batches, sampler = make_loaders(cfg, device, distributed=world > 1)
    model = Net(cfg.width, dropout=cfg.dropout).to(device)

    checks = []
    if cfg.sanity and main_process:
        checks = sanity.run_all(model, train_batches, F.cross_entropy, out_dir=cfg.out_dir, quick=cfg.sanity_quick)
        for check in checks:
            print(check, flush=True)
        if not all(c.passed for c in checks):
            print("some sanity checks FAILED: fix them before a long run", file=sys.stderr, flush=True)

    if world > 1:
        model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = make_optimizer(cfg, model.parameters())
    # Cosine from lr down to 0 over every step of the run, stepped per batch.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs * len(train_batches))

    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    started = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a different shuffle per epoch, the same on every rank
        model.train()
        loss_sum, seen = 0.0, 0
        for x, y in train_batches:  # x (B, 1, 8, 8) augmented, y (B,)
            loss = F.cross_entropy(model(x), y)  # logits (B, 10) -> scalar
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(y)
            seen += len(y)
        train_loss = mean_across_ranks(loss_sum / seen, device, world)
        val_loss, val_accuracy = evaluate(model, val_batches)
        for key, value in (("train_loss", train_loss), ("val_loss", val_loss), ("val_accuracy", val_accuracy)):
            history[key].append(value)
        if main_process:
            print(f"epoch {epoch}/{cfg.epochs}: train loss {train_loss:.4f}, val loss {val_loss:.4f}, "
                  f"val accuracy {val_accuracy:.4f}, lr {schedule.get_last_lr()[0]:.2e}", flush=True)
    seconds = time.perf_counter() - started

    metrics = {"val_accuracy": history["val_accuracy"][-1], "val_loss": history["val_loss"][-1],
               "train_loss": history["train_loss"][-1], "best_val_accuracy": max(history["val_accuracy"]),
               "seconds": round(seconds, 2)}
    if main_process:
        os.makedirs(cfg.out_dir, exist_ok=True)
        weights = model.module if world > 1 else model
        torch.save({"model": weights.state_dict(), "config": vars(cfg)}, os.path.join(cfg.out_dir, "model.pt"))
        curves = plot_curves(history["train_loss"], history["val_loss"], os.path.join(cfg.out_dir, "curves.png"),
                             title=f"{cfg.name}: val accuracy {metrics['val_accuracy']:.4f}")
        record = record_run(cfg, metrics, note=cfg.note, extra={
            "world_size": world, "device": str(device), "curves": str(curves), "history": history,
            "sanity": {c.name: c.passed for c in checks}})
        print(f"run {record['run']} recorded: val accuracy {metrics['val_accuracy']:.4f}, curves in {curves}")
    if world > 1:
        dist.destroy_process_group()
    return metrics


if __name__ == "__main__":
    main(sys.argv[1:])
