"""Does scout list what a real repo's evaluation needs? For each labeled dev repo (bench/corpus,
LABELING.md) run `find_needs` on the labeled command and compare the blocking need kinds with the
label's, and check that no link the label calls a dataset, a backbone or embeddings is called the
checkpoint.

    python bench/needs.py [--split dev] [--verbose] [--corpus /work/corpus] [--labels DIR]

The command is the first one quoted in the label's evidence that the label's regexes accept (the
command the docs give), else the best candidate scout finds that they accept, else the plainest
command a regex accepts (`^python3? (\\./)?a\\.py\\b` -> `python a.py`). Prints one row per
repo and then: repos with every blocking kind found (the issue's target: >= 85%), and the kind
recall and precision over all repos, and how many of the links the labels call no checkpoint
(datasets, backbones, embeddings) `link_kind` reads as a model; then the same figures for the repos
drawn as dev (the needs rules were written from them) and for the retired held-out draws (heldout,
heldout2: labeled before scout ran on them, never used to write a rule), the development part's
nearest stand-in for repos scout has never seen. Report both."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus.labels import CORPUS, LABELS, RETIRED, Label, load, matches  # noqa: E402
from scout.baseline.discover.candidates import find_candidates, parse_command  # noqa: E402
from scout.baseline.discover.docs import find_docs  # noqa: E402
from scout.baseline.discover.links import doc_links, link_kind  # noqa: E402
from scout.baseline.discover.needs import find_needs  # noqa: E402
from scout.baseline.discover.plan import command_kind  # noqa: E402


def labeled_command(label: Label, repo_dir: Path) -> tuple[str, str] | None:
    """(command, cwd): the first quoted command of the evidence that the label accepts."""
    evidence = label.raw.get("evidence") or ""
    for quoted in re.findall(r"`+([^`]+)`+", evidence):
        quoted = re.sub(r"\s+", " ", quoted).strip()
        if matches(label, quoted, label.cwd):
            return quoted, label.cwd
    finding = find_candidates(repo_dir)
    for candidate in finding.candidates:
        if matches(label, candidate.command, candidate.cwd):
            return candidate.command, candidate.cwd
    for pattern in label.commands:
        command = _from_regex(pattern)
        if matches(label, command, label.cwd):
            return command, label.cwd
    return None


def _from_regex(pattern: str) -> str:
    """The plainest command a label's regex accepts: `^python3? (\\./)?(a|b)\\.py\\b` -> `python a.py`."""
    text = re.sub(r"\(\?[!=][^)]*\)", "", pattern.lstrip("^").rstrip("$"))
    text = re.sub(r"\(\\\./\)\?|\\b|\(\?:", "", text)
    text = re.sub(r"\(([^()|]*)(?:\|[^()]*)?\)\??", r"\1", text)
    text = re.sub(r"(\w)\?", "", text) if False else re.sub(r"([\w)])\?", r"\1", text)
    text = text.replace("python3", "python").replace("python2", "python")
    text = re.sub(r"\.\*|\\s\+|\\s\*", " ", text)
    text = re.sub(r"\\S\*|\\S\+|\\w\+|\\w\*", "x", text)
    text = re.sub(r"\[\\\\/\]|\[\\\\/]|\\\\/", "/", text)
    return re.sub(r"\s+", " ", text.replace("\\", "")).strip()


@dataclass
class Tally:
    """The needs figures of one group of repos."""

    with_needs: int = 0
    found_all: int = 0
    wanted: int = 0
    called: int = 0
    right: int = 0
    wrong_ckpt: int = 0
    links_seen: int = 0
    links_called_model: int = 0
    per_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [labeled, found, called]

    def add(self, want: set[str], got: set[str], bad: int) -> None:
        if want:
            self.with_needs += 1
            self.found_all += want <= got
        for what in want | got:
            counts = self.per_kind.setdefault(what, [0, 0, 0])
            counts[0] += what in want
            counts[1] += what in want and what in got
            counts[2] += what in got
        self.wanted += len(want)
        self.called += len(got)
        self.right += len(want & got)
        self.wrong_ckpt += bad

    def render(self, name: str) -> str:
        lines = [
            f"{name}: every blocking kind found for {self.found_all}/{self.with_needs} repos with one"
            f" ({_pct(self.found_all, self.with_needs)}); kind recall {self.right}/{self.wanted}"
            f" ({_pct(self.right, self.wanted)}), precision {self.right}/{self.called}"
            f" ({_pct(self.right, self.called)});"
            f" not_checkpoints called a checkpoint: {self.wrong_ckpt};"
            f" not_checkpoints links read as a model: {self.links_called_model}/{self.links_seen}"
        ]
        for what, (labeled, found, called) in sorted(self.per_kind.items()):
            lines.append(f"  {what:12} labeled {labeled:3}  found {found:3}  called {called:3}")
        return "\n".join(lines)


def _pct(right: int, total: int) -> str:
    return f"{100 * right / total:.0f}%" if total else "-"


def draw_group(label: Label) -> str:
    """`original` for the repos drawn as dev (the needs rules were written from them), `retired` for the
    retired held-out draws: the nearest thing dev has to repos the rules never saw."""
    return "retired" if label.drawn_as in RETIRED else "original"


def run(split: str, corpus: Path, labels: Path, verbose: bool) -> int:
    tallies = {"all": Tally(), "original": Tally(), "retired": Tally()}
    for label in load(split, labels):
        repo_dir = corpus / label.folder
        if not label.eval or not repo_dir.is_dir():
            continue
        planned = labeled_command(label, repo_dir)
        if planned is None:
            print(f"{label.repo:50} no command found")
            continue
        groups = [tallies["all"], tallies[draw_group(label)]]
        command, cwd = planned
        docs = find_docs(repo_dir)
        # Every doc link the label says is not a checkpoint, classified in its context.
        for url, _, context in doc_links([(doc.path, doc.text) for doc in docs]):
            if any(link and (link in url or url in link) for link in label.not_checkpoints):
                called_model = link_kind(url, context) == "model"
                for tally in groups:
                    tally.links_seen += 1
                    tally.links_called_model += called_model
                if called_model:
                    print(f"    not a checkpoint, read as a model: {url}")
        needs = find_needs(
            command,
            repo_dir=repo_dir,
            cwd=cwd,
            kind=command_kind(command),
            docs_text="\n\n".join(doc.text for doc in docs),
            environ={},
            has_gpu=False,
            script=parse_command(command).script,
            docs=[(doc.path, doc.text) for doc in docs],
            which=lambda program: None,  # the labels describe a fresh machine
            kind_of=command_kind,
        )
        want = {need["kind"] for need in label.blocking_needs}
        got = {need.kind for need in needs if need.blocking}
        ckpt_text = " ".join(need.detail for need in needs if need.kind == "checkpoint")
        bad = [link for link in label.not_checkpoints if link in ckpt_text]
        for tally in groups:
            tally.add(want, got, len(bad))
        missed, extra = sorted(want - got), sorted(got - want)
        verdict = "ok" if not missed and not extra and not bad else f"missed {missed} extra {extra} bad {bad}"
        print(f"{label.repo:50} [{draw_group(label)}] {verdict}")
        if verbose:
            print(f"    $ {command}  (in {cwd or '.'})")
            for need in needs:
                print(f"    {'B' if need.blocking else '-'} {need.kind}: {need.detail}")
    print()
    print(tallies["all"].render(split))
    for name in ("original", "retired"):
        print(tallies[name].render(f"{split}, drawn as {'dev' if name == 'original' else 'heldout/heldout2'}"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev"])  # never tune on the held-out part
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--labels", type=Path, default=LABELS, help="the label folder (labels still arriving)")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    return run(args.split, args.corpus, args.labels, args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())
