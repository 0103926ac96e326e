"""Data: scikit-learn's handwritten digits, 1,797 grey images of 8x8 pixels in 10 classes. They ship
inside the scikit-learn package, so nothing is downloaded.

    python data.py          # prints the split sizes and the shapes of one batch

Images are scaled to [0, 1], then standardised with the training split's mean and std (the
validation split must not leak into the normalisation). Augmentation (random shifts of up to one
pixel) runs on whole batches on the training device, so loading never waits on Python loops.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from scoutkit import seed_worker


def digits_split(val_fraction: float, seed: int) -> tuple[TensorDataset, TensorDataset, float]:
    """(train, val, background): datasets of x (N, 1, 8, 8) float32 and y (N,) int64, and the value
    a blank pixel takes after standardisation."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # (1797, 8, 8), pixel values 0..16 -> [0, 1]
    labels = digits.target.astype(np.int64)  # (1797,)
    x_train, x_val, y_train, y_val = train_test_split(
        images, labels, test_size=val_fraction, random_state=seed, stratify=labels)
    mean, std = float(x_train.mean()), float(x_train.std())

    def dataset(x, y):
        return TensorDataset(torch.from_numpy((x - mean) / std).unsqueeze(1), torch.from_numpy(y))

    return dataset(x_train, y_train), dataset(x_val, y_val), -mean / std


def random_shift(x: torch.Tensor, background: float, max_shift: int = 1) -> torch.Tensor:
    """Shift each image by up to max_shift pixels in each direction, filling with background.
    x (N, C, H, W) -> (N, C, H, W)."""
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (max_shift,) * 4, value=background)  # (N, C, H+2s, W+2s)
    dy, dx = (torch.randint(0, 2 * max_shift + 1, (2, n, 1), device=x.device))
    rows = (dy + torch.arange(h, device=x.device))[:, :, None]  # (N, H, 1)
    cols = (dx + torch.arange(w, device=x.device))[:, None, :]  # (N, 1, W)
    batch = torch.arange(n, device=x.device)[:, None, None]  # (N, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)


class DeviceBatches:
    """Wraps a DataLoader: moves each batch to the device and augments it there."""

    def __init__(self, loader: DataLoader, device: torch.device, background: float, augment: bool):
        self.loader, self.device, self.background, self.augment = loader, device, background, augment
        self.num_workers = loader.num_workers

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:  # x (B, 1, 8, 8), y (B,)
            x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
            yield (random_shift(x, self.background) if self.augment else x), y


def make_loaders(cfg, device: torch.device, distributed: bool = False):
    """(train batches, val batches, sampler). Under DDP each process gets its own shard of the
    training set through the DistributedSampler; every process validates on the whole val split."""
    train, val, background = digits_split(cfg.val_fraction, cfg.seed)
    sampler = DistributedSampler(train, shuffle=True, seed=cfg.seed, drop_last=True) if distributed else None
    generator = torch.Generator().manual_seed(cfg.seed)  # the shuffling order repeats run to run
    train_loader = DataLoader(train, batch_size=cfg.batch_size, shuffle=sampler is None, sampler=sampler,
                              drop_last=True, num_workers=cfg.num_workers, worker_init_fn=seed_worker,
                              generator=generator)
    val_loader = DataLoader(val, batch_size=256, num_workers=cfg.num_workers)
    return (DeviceBatches(train_loader, device, background, cfg.augment),
            DeviceBatches(val_loader, device, background, augment=False), sampler)


if __name__ == "__main__":
    from config import load_config

    cfg = load_config()
    train, val, _ = make_loaders(cfg, torch.device("cpu"))
    x, y = next(iter(train))
    print(f"train {len(train.loader.dataset)} images in {len(train)} batches, val {len(val.loader.dataset)}")
    print(f"batch x {tuple(x.shape)} {x.dtype}, y {tuple(y.shape)} {y.dtype}, labels {sorted(set(y.tolist()))}")
