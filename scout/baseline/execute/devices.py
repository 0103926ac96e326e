"""Which device each evaluation runs on. A run sees its device through CUDA_VISIBLE_DEVICES
and SCOUT_DEVICE ("cpu" or "cuda"); with several GPUs, each gets its own slot so repos run in
parallel, one per GPU."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.execute.sandbox import child_env
from scout.config import parse_device
from scout.errors import EvalError


@dataclass(frozen=True)
class Gpu:
    index: int
    name: str


@dataclass(frozen=True)
class Slot:
    device: str  # "cpu" or "cuda"
    cuda_visible: str | None  # CUDA_VISIBLE_DEVICES for the run; None leaves the variable as it is
    gpu: str | None  # the GPU's name, for the ledger

    def env(self) -> dict[str, str]:
        values = {"SCOUT_DEVICE": self.device}
        if self.cuda_visible is not None:
            values["CUDA_VISIBLE_DEVICES"] = self.cuda_visible
        return values


CPU = Slot("cpu", "", None)


def list_gpus(python: str | None = None) -> list[Gpu]:
    """The GPUs nvidia-smi sees; without nvidia-smi, ask torch in `python` (if given)."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "--query-gpu=index,name", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        gpus = []
        for line in out.splitlines():
            index, _, name = line.partition(",")
            if index.strip().isdigit():
                gpus.append(Gpu(int(index), name.strip()))
        return gpus
    if python is None:
        return []
    probe = (
        "import torch\nfor i in range(torch.cuda.device_count()):\n    print(i, torch.cuda.get_device_name(i), sep=',')"
    )
    # The interpreter may hold .pth files a repo's setup step installed: the allowlisted env only.
    with tempfile.TemporaryDirectory(prefix="scout-probe-") as home:
        env = child_env(os.environ, Path(home))
        try:
            out = subprocess.run(
                [python, "-c", probe], capture_output=True, text=True, timeout=120, check=False, env=env, cwd=home
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return []
    return [Gpu(int(i), name) for i, _, name in (line.partition(",") for line in out.splitlines()) if i.isdigit()]


def plan_slots(device: str, gpus: list[Gpu]) -> list[Slot]:
    """One slot per device the runs may use at once."""
    kind, index = parse_device(device)
    if kind == "cpu" or (kind == "auto" and not gpus):
        return [CPU]
    if not gpus:
        raise EvalError(
            f"--device {device} asks for a GPU but none was found (nvidia-smi and torch see "
            "none); use --device cpu or run on a GPU machine"
        )
    if index is not None:
        chosen = [g for g in gpus if g.index == index]
        if not chosen:
            raise EvalError(
                f"--device {device}: there is no GPU {index} (found {', '.join(str(g.index) for g in gpus)})"
            )
        gpus = chosen
    return [Slot("cuda", str(g.index), g.name) for g in gpus]
