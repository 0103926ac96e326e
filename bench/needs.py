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
(datasets, backbones, embeddings) `link_kind` reads as a model."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus.labels import CORPUS, LABELS, Label, load, matches  # noqa: E402
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


def run(split: str, corpus: Path, labels: Path, verbose: bool) -> int:
    found_all = with_needs = 0
    links_seen = links_called_model = 0
    per_kind: dict[str, list[int]] = {}  # kind -> [labeled, found, called]
    hits = wanted = called = right = 0
    wrong_ckpt = 0
    for label in load(split, labels):
        repo_dir = corpus / label.folder
        if not label.eval or not repo_dir.is_dir():
            continue
        planned = labeled_command(label, repo_dir)
        if planned is None:
            print(f"{label.repo:50} no command found")
            continue
        command, cwd = planned
        docs = find_docs(repo_dir)
        # Every doc link the label says is not a checkpoint, classified in its context.
        for url, _, context in doc_links([(doc.path, doc.text) for doc in docs]):
            if any(link and (link in url or url in link) for link in label.not_checkpoints):
                links_seen += 1
                if link_kind(url, context) == "model":
                    links_called_model += 1
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
        wrong_ckpt += len(bad)
        if want:
            with_needs += 1
            found_all += want <= got
        for what in want | got:
            counts = per_kind.setdefault(what, [0, 0, 0])
            counts[0] += what in want
            counts[1] += what in want and what in got
            counts[2] += what in got
        hits += len(want & got)
        wanted += len(want)
        called += len(got)
        right += len(want & got)
        missed, extra = sorted(want - got), sorted(got - want)
        verdict = "ok" if not missed and not extra and not bad else f"missed {missed} extra {extra} bad {bad}"
        print(f"{label.repo:50} {verdict}")
        if verbose:
            print(f"    $ {command}  (in {cwd or '.'})")
            for need in needs:
                print(f"    {'B' if need.blocking else '-'} {need.kind}: {need.detail}")
    print(
        f"\n{split}: every blocking kind found for {found_all}/{with_needs} repos with one; "
        f"kind recall {hits}/{wanted}, precision {right}/{called}; not_checkpoints called a checkpoint: {wrong_ckpt}; "
        f"not_checkpoints links read as a model: {links_called_model}/{links_seen}"
    )
    for what, (labeled, found, called) in sorted(per_kind.items()):
        print(f"  {what:12} labeled {labeled:3}  found {found:3}  called {called:3}")
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
