"""The labeled corpus as data: load the labels (LABELING.md) and decide whether a command scout
planned is the one a label names. Shared by bench/repos.py (the score) and bench/fit_ranker.py
(the fit), so both judge a command the same way."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "labels"
CORPUS = Path("/work/corpus")
# heldout5, heldout6, heldout7: fresh held-out draws (sample6.tsv, sample7.tsv, sample8.tsv), each made
# once the held-out parts before it had been looked at.
SPLITS = ("dev", "heldout5", "heldout6", "heldout7")
# heldout and heldout2 (sample.tsv's held-out rows, sample2.tsv) had been looked at four times each, so
# they were retired into the development part on 2026-12-05, and heldout3 (sample4.tsv, looked at four
# times) later that day, and heldout4 (sample5.tsv, looked at four times) on 2026-12-05's third session:
# their labels keep the split they were drawn as (`drawn_as`), and tuning reads them as dev.
RETIRED = ("heldout", "heldout2", "heldout3", "heldout4")


def part(drawn_as: str) -> str:
    """The part a label counts in today."""
    return "dev" if drawn_as in RETIRED else drawn_as


@dataclass(frozen=True)
class Label:
    repo: str
    split: str  # the part it counts in (`part`)
    drawn_as: str  # the split it was drawn and labeled as
    field: str
    eval: bool
    commands: tuple[str, ...]  # regexes, any of them right
    cwd: str
    needs: tuple[dict, ...]
    not_checkpoints: tuple[str, ...]
    metric: dict | None
    raw: dict

    @property
    def folder(self) -> str:
        return self.repo.replace("/", "+")

    @property
    def blocking_needs(self) -> tuple[dict, ...]:
        return tuple(need for need in self.needs if need.get("blocking", True))


def load(split: str | None = None, labels_dir: Path = LABELS) -> list[Label]:
    """Every usable label (status `labeled`), of one split or both, in name order."""
    found = []
    for path in sorted(labels_dir.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("status") != "labeled" or (split and part(data["split"]) != split):
            continue
        found.append(from_data(data))
    return found


def from_data(data: dict) -> Label:
    """One label file's contents as a Label (a second labeler's file has no split: "second")."""
    drawn_as = data.get("split", "second")
    return Label(
        repo=data["repo"],
        split=part(drawn_as),
        drawn_as=drawn_as,
        field=data.get("field", ""),
        eval=bool(data.get("eval")),
        commands=tuple(data.get("commands") or ()),
        cwd=(data.get("cwd") or "").strip("./"),
        needs=tuple(data.get("needs") or ()),
        not_checkpoints=tuple(data.get("not_checkpoints") or ()),
        metric=data.get("metric"),
        raw=data,
    )


def _norm(command: str) -> str:
    return re.sub(r"\s+", " ", command).strip()


def _cwd_of(command: str, cwd: str) -> tuple[str, str]:
    """A leading `cd DIR &&` moves into DIR: the same run as `command` in `cwd/DIR`."""
    match = re.match(r"^cd\s+(\S+)\s*&&\s*(.*)$", command)
    if not match:
        return cwd.strip("./"), command
    folder = "/".join(p for p in (cwd.strip("./"), match.group(1).strip("./")) if p)
    return folder, match.group(2)


def matches(label: Label, command: str | None, cwd: str = "") -> bool:
    """Is `command`, run in `cwd`, the labeled evaluation? None (no evaluation) is right only for a
    repo labeled as having none. A command in another folder is right when it names the same
    script from there (`python sub/eval.py` at the root for `python eval.py` in `sub`)."""
    if command is None:
        return not label.eval
    if not label.eval:
        return False
    folder, command = _cwd_of(_norm(command), cwd)
    variants = {command}
    if folder != label.cwd:
        if label.cwd and folder == "":
            variants = {re.sub(rf"(^|\s)(\./)?{re.escape(label.cwd)}/", r"\1", command)}
        elif folder and label.cwd == "":
            variants = {
                re.sub(r"(^|\s)(python3?\s+|bash\s+|sh\s+)?(\./)?(?=[\w-]+[./])", rf"\1\2{folder}/", command, count=1)
            }
        else:
            return False
    return any(re.search(pattern, variant) for pattern in label.commands for variant in variants)
