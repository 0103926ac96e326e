"""A candidate as named features, for the fitted ranker (rank.py): where it came from, the words of
its section heading and of the prose before it, its order in the docs, the words of its script,
flags and values, whether its files and required arguments are there, its placeholders, what the
scripts it launches do, its language. Words are bag-of-words features: their weights are fitted on
the labeled corpus (bench/fit_ranker.py), never written by hand.

The "none" option (the repo has no runnable evaluation) has its own features, of the repo as a
whole, all named `none:...`."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from scout.baseline.discover.candidates import Candidate, Discovery

_STOP = frozenset(
    "the a an and or of to in on for with by from at as is are be this that it its you your we our can will "
    "use using run running also all any into not no if then than there their them these those which was were "
    "has have had do does done here how what when where who why more most such only other some each one two "
    "may must should would could just like via per see".split()
)
_REPORTED = re.compile(
    r"\b(?:acc\w*|error|f1|bleu|rouge|map|psnr|ssim|auc|perplexity|ppl|top-?[15]|iou|miou|fid|wer|dice|rmse|"
    r"mae|recall|precision|score|reward)\b[^\n\d]{0,40}\d+(?:\.\d+)?\s*%?",
    re.I,
)
_PROGRAMS = frozenset({"python", "bash", "sh", "th", "make", "julia", "Rscript", "jupyter"})
_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ers", "er", "ed", "es", "s")


def stem(word: str) -> str:
    """A crude stem, so that evaluate, evaluation and evaluating share one weight."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    word = word[:-1] if word.endswith("e") and len(word) > 4 else word
    return word[:-2] if word.endswith("at") and len(word) > 5 else word  # evaluate and evaluation: evalu


def words(text: str, limit: int = 40) -> list[str]:
    out = []
    for word in re.split(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])", text.lower()):
        if len(word) >= 2 and word not in _STOP and not word.isdigit():
            out.append(stem(word))
            if len(out) >= limit:
                break
    return out


@dataclass(frozen=True)
class RepoContext:
    """What the features of one candidate need to know about its repo."""

    documented: int  # candidates from the docs
    documented_existing: int  # ... whose files exist
    first_existing: int  # doc_order of the first documented candidate whose files exist (-1: none)
    docs_lower: str
    shape: str
    candidates: int
    notebooks_only: bool
    existing_orders: tuple[int, ...] = ()  # doc_order of the documented candidates whose files exist
    reported: int = 0  # metric names written next to a number in the docs (a results table, "93.2% accuracy")
    heading_words: frozenset[str] = frozenset()  # the words of the README's headings

    @classmethod
    def of(cls, discovery: Discovery) -> RepoContext:
        docs = [c for c in discovery.candidates if c.origin.startswith("doc")]
        existing = [c for c in docs if c.script_exists]
        runnable = [c for c in discovery.candidates if c.origin != "notebook"]
        return cls(
            len(docs),
            len(existing),
            min((c.doc_order for c in existing), default=-1),
            discovery.docs_text[:300_000].lower(),
            discovery.shape,
            len(discovery.candidates),
            bool(discovery.candidates) and not runnable,
            tuple(sorted(c.doc_order for c in existing)),
            len(_REPORTED.findall(discovery.docs_text[:300_000])),
            frozenset(w for h in (discovery.docs[0].headings[:60] if discovery.docs else ()) for w in words(h, 8)),
        )


def _flag_words(args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(words of the flag names, words of the values and positional arguments)."""
    flags, values = [], []
    for arg in args[:30]:
        if arg.startswith("-") and not re.match(r"^-\d", arg):
            name, _, value = arg.partition("=")
            flags += words(name, 4)
            if value:
                values += words(Path(value).stem if "/" in value else value, 3)
        elif re.match(r"^[\w.+~]+=", arg):  # Hydra/yacs overrides: run_type=val
            name, _, value = arg.partition("=")
            flags += words(name.split(".")[-1], 4)
            values += words(value, 3)
        else:
            values += words(Path(arg).stem if "/" in arg or "." in arg else arg, 3)
    return flags, values


def candidate_features(candidate: Candidate, repo: RepoContext) -> dict[str, float]:
    f: dict[str, float] = {"bias": 1.0, f"origin={candidate.origin}": 1.0, f"lang={candidate.language}": 1.0}
    documented = candidate.origin.startswith("doc")
    if documented:
        doc = candidate.doc.lower()
        name = Path(doc).name
        if name.startswith("readme"):
            f["doc=readme" if "/" not in doc else "doc=sub-readme"] = 1.0
        else:
            f["doc=guide"] = 1.0
        f["doc.order.log"] = math.log1p(candidate.doc_order)
        if candidate.doc_order == repo.first_existing:
            f["doc.first-existing"] = 1.0
        if candidate.doc_order in repo.existing_orders:
            place = repo.existing_orders.index(candidate.doc_order)
            f[f"doc.existing-rank={min(place, 3)}"] = 1.0
            if len(repo.existing_orders) == 1:
                f["doc.only-existing"] = 1.0
        for i, heading in enumerate(reversed(candidate.section[-3:])):
            for word in words(heading, 8):
                f[f"sec:{word}"] = max(f.get(f"sec:{word}", 0.0), 1.0 if i == 0 else 0.5)
        for word in words(candidate.context[-200:], 30):
            f[f"ctx:{word}"] = 1.0
        if _REPORTED.search(candidate.after[:200]):
            f["after-reports-metric"] = 1.0
        f["mentions.log"] = math.log(candidate.mentions)
        f[f"resolved={candidate.resolved}"] = 1.0
    else:
        if repo.documented_existing:
            f[f"origin={candidate.origin}|docs-have-commands"] = 1.0
        base = Path(candidate.script or candidate.command.split(" ")[0]).name.lower()
        if base and base in repo.docs_lower:
            f["script-named-in-docs"] = 1.0
    program = candidate.program or "none"
    f[f"prog={program if program in _PROGRAMS else 'other'}"] = 1.0
    target = candidate.script or candidate.module or ""
    if candidate.origin == "console-script" or (documented and not candidate.script and not candidate.module):
        target = f"{candidate.program} {target}"
    for word in words(Path(target).with_suffix("").as_posix() if target else "", 10):
        f[f"tok:{word}"] = 1.0
    if candidate.module:
        f["python-m"] = 1.0
    depth = (candidate.script or "").count("/")
    f["script.depth"] = float(min(depth, 4))
    flags, values = _flag_words(candidate.args)
    for word in flags:
        f[f"flag:{word}"] = 1.0
    for word in values:
        f[f"val:{word}"] = 1.0
    f["args.log"] = math.log1p(len(candidate.args))
    if any(a in ("-h", "--help") for a in candidate.args):
        f["asks-help"] = 1.0
    f["exists" if candidate.script_exists else "missing"] = 1.0
    if candidate.required_missing:
        f["required-missing"] = 1.0
    if candidate.placeholders:
        f["placeholders"] = 1.0
    if candidate.setup:
        f["has-setup"] = 1.0
    for trait in candidate.traits:
        f[f"trait:{trait}"] = 1.0
    if repo.reported and "prints_metric" in candidate.traits:
        f["prints-metric|docs-report-metrics"] = 1.0
    for line in candidate.launches[:10]:
        for word in words(line, 8):
            f[f"launch:{word}"] = 1.0
    if candidate.launches:
        f["launches.log"] = math.log1p(len(candidate.launches))
    return f


# What the none option reads of the best candidate: where it came from and what it does, not its words.
_TOP_KEPT = frozenset(
    {
        "exists",
        "missing",
        "placeholders",
        "required-missing",
        "trait:prints_metric",
        "trait:evaluates",
        "trait:trains",
        "trait:plots",
        "trait:loads_checkpoint",
        "doc.first-existing",
    }
)


def none_features(
    repo: RepoContext,
    top: dict[str, float] | None = None,
    scores: list[float] | None = None,
    absolute: float | None = None,
) -> dict[str, float]:
    """The features of "no runnable evaluation" for a repo: the repo as a whole, and how strong its
    best candidate is (`top`: its features, `scores`: the ranker's scores of all candidates,
    `absolute`: the highest log-odds, among the candidates, of being an evaluation at all, from the
    per-candidate model fitted on every repo, those with no evaluation included)."""
    f = {"none:bias": 1.0, f"none:shape={repo.shape}": 1.0}
    if not repo.documented:
        f["none:no-doc-commands"] = 1.0
    if repo.notebooks_only:
        f["none:notebooks-only"] = 1.0
    if not repo.candidates:
        f["none:no-candidates"] = 1.0
    f["none:candidates.log"] = math.log1p(repo.candidates)
    f[f"none:doc-existing={min(repo.documented_existing, 4)}"] = 1.0
    for word in repo.heading_words:
        f[f"none:head:{word}"] = 1.0
    if repo.reported:
        f["none:docs-report-metrics"] = 1.0
        f["none:docs-report-metrics.log"] = math.log1p(repo.reported)
    if len(repo.docs_lower) < 400:
        f["none:short-docs"] = 1.0
    if scores:
        top_p = 1 / sum(math.exp(s - max(scores)) for s in scores)
        f["none:top.p"] = top_p
        f["none:top.score"] = max(scores)  # how much the best candidate looks like an evaluation
        if len(scores) == 1:
            f["none:one-candidate"] = 1.0
    if absolute is not None:
        f["none:best.log-odds"] = absolute
    for name, value in (top or {}).items():
        if name in _TOP_KEPT or name.startswith(("origin=", "doc=")):
            f[f"none:top|{name}"] = value
    return f


def describe(name: str) -> str:
    """A feature in words, for the evidence of a ranked candidate."""
    kind, _, value = name.partition(":")
    if value:
        return {
            "sec": f"the heading says “{value}…”",
            "ctx": f"the text before it says “{value}…”",
            "tok": f"“{value}…” in the script's name",
            "flag": f"the flag “{value}…”",
            "val": f"the argument “{value}…”",
            "trait": f"the script {value.replace('_', ' ')}",
            "launch": f"it launches “{value}…”",
        }.get(kind, name)
    key, _, value = name.partition("=")
    if value:
        return {
            "origin": f"from {value.replace('-', ' ')}",
            "doc": {
                "readme": "in the README",
                "sub-readme": "in a sub-folder's README",
                "guide": "in a linked guide",
            }.get(value, name),
            "lang": f"{value} code",
            "prog": f"run with {value}",
            "resolved": f"its files found ({value})",
        }.get(key, name)
    return {
        "doc.first-existing": "the docs' first command whose files exist",
        "doc.order.log": "its place in the docs",
        "exists": "its files exist",
        "missing": "its script is missing",
        "required-missing": "required arguments missing",
        "placeholders": "it has placeholders to fill",
        "script-named-in-docs": "the docs name its script",
        "mentions.log": "the docs give it more than once",
        "has-setup": "the docs prepare data right before it",
        "after-reports-metric": "the docs give a result right after it",
    }.get(name, name)
