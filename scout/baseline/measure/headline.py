"""The run's headline: the measured metric that matches what the paper claims, on the claim's split.

A claim matches a measured metric when they are the same metric under scout's aliases (acc /
accuracy / top-1, mAP / AP / box AP, recall@10 / Recall@10, bpc, ppl, WER, FID, pass@1, return), or
its complement (a claimed top-1 *error* of 2.63% is a measured accuracy of 97.37%). Among the
measured metrics of that name the claim's split wins: test over eval over an unnamed split over val
when the claim is on test (or names no split), val first when the claim is on val or dev; a train
split only for a train claim. The claims are tried best-ranked first (scout.baseline.measure.claims),
after a bonus for the claims whose table row or sentence names what the command runs (a model, a
dataset: `--depth 50` and a row "ResNet-50").

When the paper claims something and no measured metric matches, there is no headline: the run says
"ran; the paper's metric was not found in the output" rather than promoting a loss. When nothing is
claimed, the headline is the evaluation metric the docs name most (never a train split), marked as
not matching a claim.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

from scout.baseline.measure.claims import Claim, naming_bonus, words_of
from scout.baseline.measure.logmetrics import Metric, Reading
from scout.metrics import QUALIFIERS, base_name, higher_is_better

# Re-ID code prints CMC rank-1 as "top1": the same number, but not a classifier's accuracy.
_SAME = [
    {"accuracy", "top1"},
    {"rank1", "top1"},
    {"map"},
    {"miou"},
    {"f1"},
    {"return"},
    {"hit"},
    {"perplexity"},
    {"bleu"},
]
_COMPLEMENT = {
    ("error", "accuracy"),
    ("top1_error", "top1"),
    ("top1_error", "accuracy"),
    ("error", "top1"),
    ("top5_error", "top5"),
}


@dataclass(frozen=True)
class Headline:
    name: str
    value: float
    unit: str | None
    split: str | None
    direction: str  # "higher" or "lower"
    line: str | None
    raw: str
    matches_claim: str | None  # the claim's metric as the doc writes it; None without a claim
    claim_value: float | None = None  # the claim on the measured metric's terms (1 - error for accuracy)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "split": self.split,
            "direction": self.direction,
            "line": self.line,
            "raw": self.raw,
            "matches_claim": self.matches_claim,
        }


def relation(claimed: str, measured: str) -> str | None:
    """ "same", "complement" (error vs accuracy) or None, on base names."""
    claimed, measured = base_name(claimed), base_name(measured)
    if claimed == measured or any(claimed in group and measured in group for group in _SAME):
        return "same"
    if (claimed, measured) in _COMPLEMENT or (measured, claimed) in _COMPLEMENT:
        return "complement"
    return None


def split_of(name: str) -> str | None:
    head, _, rest = name.partition("_")
    return head if rest and head in QUALIFIERS.values() else None


def _split_rank(measured: str, claim_split: str | None) -> int | None:
    split = split_of(measured)
    if measured.startswith(("best_", "mean_", "weighted_")) or re.match(r"\d+nn_", measured):
        return 50  # a selection or another average: only when nothing plainer is there
    if split == "train":
        return 0 if claim_split == "train" else None
    order = ["val", "eval", None, "test"] if claim_split == "val" else ["test", "eval", None, "val"]
    return order.index(split) + 1


_SCRIPT = re.compile(r"(?<![\w./\\-])(?P<path>[\w./\\-]+\.py)\b")
_PATH_LITERAL = re.compile(r"""['"](?P<path>[\w.\-]+/[\w./\-]{1,100})['"]""")
_SCRIPT_BYTES = 512 * 1024


def _script_words(command: str | None, root: Path | None) -> set[str]:
    """Words of the paths the command's script writes into its code (`infer.py` loading
    'voc-fcn8s/deploy.prototxt'): a script run with no flags runs what is written inside it."""
    match = _SCRIPT.search(command or "")
    if not match or root is None:
        return set()
    path = root / match.group("path").replace("\\", "/")
    try:
        inside = path.resolve().is_relative_to(root.resolve())
        if not inside or not path.is_file() or path.is_symlink() or path.stat().st_size > _SCRIPT_BYTES:
            return set()
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return words_of(" ".join(m.group("path") for m in _PATH_LITERAL.finditer(text)))


def rank_for_command(
    claims: list[Claim], command: str | None, repo: str | None = None, root: Path | None = None
) -> list[Claim]:
    """The claims with a bonus for those whose row or sentence names what the command runs (up to
    +2 a word, at most +4: a word naming one row outweighs the first row's and an earlier
    position's bonus), or the repo's own name (up to +1.5: the PRU row of the PRU repo). A
    word counts by how well it tells the rows apart (claims.naming_bonus): the command's "coco"
    selects the COCO rows over the VOC rows, its "resnet" that every row shares selects nothing.
    When the command's own words select no row, the paths its script names in its code are its
    words (`root`: the checkout the command runs in)."""
    if not command and not repo:
        return claims
    own = {t for t in words_of(re.split(r"[/\\]", (repo or "").rstrip("/"))[-1].replace("+", " ")) if len(t) > 2}
    by_command = naming_bonus(claims, words_of(command or ""), 2.0, 4.0)
    if not any(by_command):
        by_command = naming_bonus(claims, _script_words(command, root), 2.0, 4.0)
    by_repo = naming_bonus(claims, own, 1.5, 1.5, graded=False)
    ranked = [replace(c, score=c.score + x + y) for c, x, y in zip(claims, by_command, by_repo)]
    return sorted(ranked, key=lambda c: -c.score)


def _usable(reading: Reading, name: str) -> bool:
    metric = reading.metrics.get(name)
    conflicted = {note.split(" is ", 1)[0] for note in reading.conflicts}
    return metric is not None and math.isfinite(metric.value) and name not in conflicted


def _make(name: str, metric: Metric, claim: Claim | None, how: str | None) -> Headline:
    claim_value = None
    if claim is not None:
        claim_value = claim.value if how == "same" else round(1.0 - claim.value, 10)
    return Headline(
        name=name,
        value=metric.value,
        unit=metric.unit,
        split=split_of(name),
        direction="higher" if higher_is_better(name) else "lower",
        line=metric.line,
        raw=metric.raw,
        matches_claim=claim.label if claim else None,
        claim_value=claim_value,
    )


def match(claim: Claim, reading: Reading) -> tuple[str, str] | None:
    """(measured name, relation) for the measured metric that answers this claim, else None."""
    options = []
    for name in reading.metrics:
        how = relation(claim.metric, name)
        rank = _split_rank(name, claim.split) if how else None
        if how and rank is not None and _usable(reading, name):
            options.append((rank, how != "same", name, how))
    if not options:
        return None
    _, _, name, how = min(options)
    return name, how


def pick(
    reading: Reading, claims: list[Claim], docs_text: str = ""
) -> tuple[Headline | None, Claim | None, str | None]:
    """(headline, the claim it answers, a note when there is no headline). A training number the
    docs state ("Training loss reaches 0.01.") is no claim to cite: it never makes a loss the headline."""
    claims = [claim for claim in claims if claim.split != "train" and claim.base != "loss"]
    for claim in claims:
        found = match(claim, reading)
        if found:
            name, how = found
            return _make(name, reading.metrics[name], claim, how), claim, None
    flagged = [n for n in reading.metrics if not _usable(reading, n)]
    if claims:
        top = claims[0]
        blocked = [n for n in flagged if relation(top.metric, n)]
        if blocked:
            return None, top, f"the output's {blocked[0]} is flagged (see flags); no headline is taken from it"
        return None, top, f"ran; the paper's metric ({top.label}) was not found in the output"
    return _fallback(reading, docs_text), None, None


def _fallback(reading: Reading, docs_text: str) -> Headline | None:
    """No claim: the evaluation metric the docs name most; a val/test loss only when nothing else."""
    from scout.baseline.measure.logmetrics import _spelling_regex
    from scout.metrics import SPELLINGS

    def mentions(name: str) -> int:
        spellings = SPELLINGS.get(base_name(name), (base_name(name),))
        return sum(
            len(re.findall(rf"(?<![\w@]){_spelling_regex(s)}(?![\w@])", docs_text, re.IGNORECASE)) for s in spellings
        )

    options = []
    for name in reading.metrics:
        rank = _split_rank(name, None)
        if rank is None or not _usable(reading, name):
            continue
        is_loss = base_name(name) == "loss"
        if is_loss and split_of(name) not in ("val", "test", "eval"):
            continue
        options.append((is_loss, -mentions(name), rank, list(reading.metrics).index(name), name))
    if not options:
        return None
    name = min(options)[-1]
    return _make(name, reading.metrics[name], None, None)
