"""Read a `scout new` project: the runs table of EXPERIMENTS.md and the records of runs.jsonl
(written by scoutkit.record_run: one JSON object a line, with `history` holding the curves)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scout.errors import ConfigError
from scout.report.model import Experiment, ExperimentRun

# A cell boundary is a pipe that is not escaped (record_run writes a literal pipe as \|).
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_TITLE = re.compile(r"^#\s+(.+?)(?::\s*experiment log)?\s*$")


def read_experiment(path: Path) -> Experiment:
    path = Path(path).expanduser()
    log, records = path / "EXPERIMENTS.md", path / "runs.jsonl"
    if not path.is_dir():
        raise ConfigError(f"--experiment {path} is not a folder")
    if not log.is_file() and not records.is_file():
        raise ConfigError(
            f"--experiment {path} is not a `scout new` project: it has neither EXPERIMENTS.md nor runs.jsonl"
        )
    warnings: list[str] = []
    header, rows, name = (), (), path.resolve().name
    if log.is_file():
        text = _read(log)
        header, rows = runs_table(text)
        name = experiment_name(text) or name
    runs = tuple(read_runs(_read(records), warnings, records)) if records.is_file() else ()
    return Experiment(path=path.resolve(), name=name, header=header, rows=rows, runs=runs, warnings=tuple(warnings))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc


def experiment_name(text: str) -> str | None:
    for line in text.splitlines():
        match = _TITLE.match(line)
        if match:
            return match.group(1)
    return None


def runs_table(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The first Markdown table under the `## Runs` heading: its header and its rows."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().lower() == "## runs"), None)
    if start is None:
        return (), ()
    table: list[tuple[str, ...]] = []
    for line in lines[start + 1 :]:
        stripped = line.strip()
        if stripped.startswith("#"):
            break
        if stripped.startswith("|"):
            table.append(_cells(stripped))
        elif table:
            break
    if len(table) < 2:
        return (), ()
    # table[1] is the |---|---| line.
    return table[0], tuple(table[2:])


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return tuple(cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(inner))


def read_runs(text: str, warnings: list[str], where: Path) -> list[ExperimentRun]:
    runs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            warnings.append(f"{where}:{number} is not JSON; skipped")
            continue
        if not isinstance(record, dict):
            warnings.append(f"{where}:{number} is not a run record; skipped")
            continue
        runs.append(_run(record, number))
    return runs


def _run(record: dict, number: int) -> ExperimentRun:
    config = record.get("config") if isinstance(record.get("config"), dict) else {}
    metrics = record.get("metrics") if isinstance(record.get("metrics"), dict) else {}
    history = record.get("history") if isinstance(record.get("history"), dict) else {}
    return ExperimentRun(
        run=str(record.get("run", number)),
        time=record.get("time"),
        commit=record.get("commit"),
        dirty=bool(record.get("dirty")),
        config=str(config.get("name", "")),
        metrics={k: v for k, v in metrics.items() if _is_number(v)},
        note=str(record.get("note") or ""),
        history={
            k: tuple(float(x) for x in v)
            for k, v in history.items()
            if isinstance(v, list) and v and all(_is_number(x) for x in v)
        },
    )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
