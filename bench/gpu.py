"""The GPU checks, as one prepared script for a machine that has one (run by hand):

    python bench/gpu.py                   # on the GPU: baseline --device cuda, and embedding throughput
    python bench/gpu.py --device cpu --papers 200    # a quick smoke run anywhere
    python bench/gpu.py --model DIR   # a copy of the MiniLM folder (scout.search.embed.bundled_model_dir())

1. `scout baseline --device DEVICE` on a tiny local PyTorch repo whose evaluation runs on the device
   scout selects; checks that the run is ok and records the GPU name.
2. Embeds synthetic abstracts of realistic length (~200 words) with the bundled MiniLM as
   `scout index embed` does on that device (fp16 on a GPU, length-sorted batches), and extrapolates
   to the 576k papers of the Papers with Code archive.
3. The same through `scout index embed`'s own code (embed_store) over a store of synthetic papers,
   vectors written to SQLite: the figure behind "the whole archive in <= 5 min on a GPU".
Prints one JSON object."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ARCHIVE_PAPERS = 576_000
EVAL_SCRIPT = """\
import os
import torch

device = os.environ.get("SCOUT_DEVICE", "cpu")
torch.manual_seed(int(os.environ.get("SCOUT_SEED", "0")))
x = torch.randn(4096, 32, device=device)
w = torch.randn(32, 1, device=device)
y = (x @ w > 0).float()
model = torch.nn.Linear(32, 1).to(device)
opt = torch.optim.AdamW(model.parameters(), lr=3e-2)
for _ in range(300):
    opt.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
    loss.backward()
    opt.step()
accuracy = ((model(x) > 0).float() == y).float().mean().item()
print(f"device {torch.cuda.get_device_name() if device.startswith('cuda') else 'cpu'}")
print(f"test accuracy: {accuracy:.4f}")
"""


def baseline_check(device: str, work: Path) -> dict:
    """One run, then `--seeds 3` (the seed moves the data and the initialisation, so the three
    accuracies differ and the aggregate has a spread)."""
    repo = work / "tiny-torch-eval"
    repo.mkdir()
    (repo / "eval.py").write_text(EVAL_SCRIPT)
    # Documented as a real repo would be: a lone undocumented script is not taken for the evaluation.
    (repo / "README.md").write_text("# tiny eval\n\n## Evaluation\n\n```bash\npython eval.py\n```\n")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "tiny eval"], cwd=repo, check=True)
    # --pick 1: this checks the GPU path, not the plan (a one-script repo is rarely "sure").
    command = [
        sys.executable,
        "-c",
        "from scout.cli import main; main()",
        "baseline",
        "--repo",
        str(repo),
        "--pick",
        "1",
    ]
    command += ["--device", device, "--yes", "--env", "current", "--json", "--cache-dir", str(work / "cache")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    runs = json.loads(done.stdout)["runs"] if done.stdout.strip() else []
    run = runs[0] if runs else {}
    seeded = subprocess.run([*command, "--seeds", "3"], capture_output=True, text=True, check=False)
    seeded_json = json.loads(seeded.stdout) if seeded.stdout.strip() else {}
    return {
        "baseline_status": run.get("status"),
        "baseline_device": run.get("device"),
        "baseline_gpu": run.get("gpu"),
        "baseline_metrics": run.get("metrics"),
        "baseline_seconds": run.get("seconds"),
        "baseline_stderr_tail": done.stderr.strip().splitlines()[-3:] if done.returncode else [],
        "seeds_statuses": [r.get("status") for r in seeded_json.get("runs", [])],
        "seeds_seeds": [r.get("seed") for r in seeded_json.get("runs", [])],
        "seeds_groups": seeded_json.get("groups"),
        "seeds_stderr_tail": seeded.stderr.strip().splitlines()[-3:] if seeded.returncode else [],
    }


def nvidia_smi_answer() -> dict:
    """The raw answer to the one query scout makes (scout/baseline/execute/devices.py), so the fake
    nvidia-smi in the tests can answer as a real machine does."""
    done = subprocess.run(
        ["nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader"], capture_output=True, text=True, check=False
    )
    return {"nvidia_smi_stdout": done.stdout, "nvidia_smi_status": done.returncode}


def embedding_check(device: str, model: str, papers: int, batch_size: int, work: Path) -> dict:
    from scout.search.embed import load_embedder

    rng = np.random.default_rng(0)
    words = np.array(
        [
            "mask",
            "classification",
            "segmentation",
            "transformer",
            "attention",
            "pixel",
            "query",
            "decoder",
            "panoptic",
            "instance",
            "semantic",
            "training",
            "benchmark",
        ]
    )
    texts = [" ".join(rng.choice(words, size=150 + i % 100)) for i in range(papers)]
    texts.sort(key=len)  # as scout index embed does: little padding per batch
    embedder = load_embedder(model, work / "cache", device=None if device == "cpu" else device)
    embedder.encode(texts[:batch_size], batch_size=batch_size)  # load and warm up outside the timing
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        embedder.encode(texts[start : start + batch_size], batch_size=batch_size)
    seconds = time.perf_counter() - started
    rate = papers / seconds
    return {
        "embed_papers": papers,
        "embed_seconds": round(seconds, 2),
        "embed_papers_per_s": round(rate, 1),
        "archive_576k_minutes": round(ARCHIVE_PAPERS / rate / 60, 1),
    }


def archive_embed_check(device: str, model: str, papers: int, batch_size: int, work: Path) -> dict:
    """`scout index embed`'s own path over a store of synthetic papers: length-sorted batches on the
    device, and every vector written to the SQLite embeddings cache, as the archive is embedded."""
    from scout.archive.embedding import embed_store, embedder_for, resolve_device
    from scout.models import Paper
    from scout.store import Store

    rng = np.random.default_rng(1)
    vocab = np.array([f"term{i}" for i in range(5000)])
    store = Store(work / "archive" / "scout.db")
    store.save_papers(
        Paper(title=f"Synthetic paper {i}", abstract=" ".join(rng.choice(vocab, size=120 + i % 120)), arxiv_id=None)
        for i in range(papers)
    )
    where = resolve_device(device)
    embedder = embedder_for(model, work / "cache", where)
    embedder.encode(["warm up"] * 8, batch_size=8)
    started = time.perf_counter()
    embedded = embed_store(store, embedder, batch_size=batch_size)
    seconds = time.perf_counter() - started
    rate = embedded / seconds
    return {
        "archive_embed_device": where,
        "archive_embed_papers": embedded,
        "archive_embed_papers_per_s": round(rate, 1),
        "archive_embed_576k_minutes": round(ARCHIVE_PAPERS / rate / 60, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument(
        "--model",
        default=None,
        help="the bundled MiniLM (default), or a copy of it as a folder, e.g. an fp16 one small enough to carry",
    )
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=512)
    args = parser.parse_args()
    from scout.config import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    with tempfile.TemporaryDirectory(prefix="scout-gpu-") as tmp:
        work = Path(tmp)
        figures = {"device": args.device, "model": model, **baseline_check(args.device, work)}
        if args.device != "cpu":
            figures.update(nvidia_smi_answer())
        figures.update(embedding_check(args.device, model, args.papers, args.batch_size, work))
        figures.update(archive_embed_check(args.device, model, args.papers, args.batch_size, work))
    print(json.dumps(figures, indent=2))
    return 0 if figures["baseline_status"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
