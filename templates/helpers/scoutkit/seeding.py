"""seed_everything(seed): one call that makes a run repeatable on the same hardware.

Python, NumPy and torch (every CUDA device included) get the seed, and cuDNN is told to pick
deterministic kernels, which trades a little speed for runs that can be compared number for number."""

from __future__ import annotations

import os
import random


def seed_everything(seed: int, *, deterministic: bool = True) -> int:
    """Seed every random number generator the experiment uses; returns the seed for the record."""
    random.seed(seed)
    # Hash randomisation is fixed at interpreter start; setting it here reaches child processes
    # (DataLoader workers started with spawn, torchrun ranks).
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch
    except ImportError:
        return seed
    torch.manual_seed(seed)  # seeds the CPU and every CUDA device
    torch.cuda.manual_seed_all(seed)
    if deterministic:
        # cuBLAS needs a fixed workspace to be deterministic; it must be set before the first call.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False  # autotuning picks kernels by timing, which varies
        # warn_only: an op without a deterministic kernel warns instead of stopping the run.
        torch.use_deterministic_algorithms(True, warn_only=True)
    return seed


def seed_worker(worker_id: int) -> None:
    """DataLoader(worker_init_fn=seed_worker): each worker's NumPy and random follow torch's seed,
    so augmentations repeat run to run instead of copying the parent's state."""
    import numpy as np
    import torch

    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)
