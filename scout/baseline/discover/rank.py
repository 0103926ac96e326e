"""Rank a repo's candidates with weights fitted on the labeled corpus (ranker.json, written by
`python bench/fit_ranker.py`), in two parts: a logistic model of "the repo has no runnable
evaluation" from the repo as a whole and its best candidate, and a conditional logit (softmax)
over the candidates; a candidate's probability is P(some evaluation) x its softmax share, so the
probabilities of one repo and its none option sum to 1. "No runnable evaluation" is the pick when
its probability beats the best candidate's taken with the candidates that run the same script or
that the ranker barely tells from it (`pick_mass`). The confidence of the pick is a logistic model
of "the pick is right" from the whole ranking (`confidence_features`: the pick's probability, its
margin over the best rival, how much it looks like an evaluation at all), fitted on out-of-fold
picks of the development repos; `sure` is the confidence from which those picks' mean confidence
is >= 97% (over enough repos to tell 97% from 100%). A ranker.json without those weights (an older
fit) calibrates the pick's probability alone (Platt, one fit for candidate picks and one for none
picks)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from scout.baseline.discover.candidates import Candidate, Discovery
from scout.baseline.discover.features import RepoContext, candidate_features, describe, none_features

RANKER = Path(__file__).with_name("ranker.json")


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    probability: float
    evidence: tuple[str, ...]  # the features that pushed it up most, in words


@dataclass(frozen=True)
class Ranking:
    ranked: tuple[Ranked, ...]  # best first
    none_probability: float  # that the repo has no runnable evaluation
    confidence: float  # calibrated probability that `pick` (or None) is right
    sure: bool  # confidence at or above the fitted threshold
    pick: Candidate | None  # None: no runnable evaluation is more likely than the best candidate (`pick_mass`)


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]  # of the candidates' features (the conditional logit)
    none_weights: dict[str, float]  # of the none option's features (the logistic model)
    point_weights: dict[str, float]  # of the candidates' features: is this one an evaluation at all
    platt: tuple[float, float, float, float]  # calibrated = sigmoid(a * logit(p) + b) for a candidate pick,
    # sigmoid(a' * logit(p) + b') for a none pick: (a, b, a', b')
    sure: float
    none_at: float | None = None  # "no runnable evaluation" is the pick at or above this probability
    # (None: when it is more probable than the best candidate)
    confidence_weights: dict[str, float] | None = None  # of `confidence_features` (with "bias"):
    # the log-odds that the pick is right; None (an older ranker.json): Platt on the pick's probability

    # math.fsum: a feature dict's order follows set iteration, which Python's hash seed varies from
    # process to process; an exactly rounded sum gives the same confidence in every process.
    def score(self, features: dict[str, float]) -> float:
        return _dot(self.weights, features)

    def point(self, features: dict[str, float]) -> float:
        """The log-odds that a candidate is an evaluation at all (the per-candidate model)."""
        return _dot(self.point_weights, features)

    def none_probability(self, features: dict[str, float]) -> float:
        return _sigmoid(_dot(self.none_weights, features))

    def calibrate(self, probability: float, none: bool = False) -> float:
        """The chance that a pick with this probability is right (`none`: the pick is "no
        runnable evaluation", whose probability is not shrunk the way a candidate's is)."""
        p = min(max(probability, 1e-6), 1 - 1e-6)
        a, b = self.platt[2:] if none else self.platt[:2]
        return 1 / (1 + math.exp(-(a * math.log(p / (1 - p)) + b)))

    def confidence(self, features: dict[str, float]) -> float:
        """The chance that the pick is right, from the ranking's `confidence_features`."""
        if self.confidence_weights is None:
            probability = 1 / (1 + math.exp(-features["pick.logit"]))
            return self.calibrate(probability, none=features.get("pick.none", 0.0) > 0)
        return _sigmoid(self.confidence_weights.get("bias", 0.0) + _dot(self.confidence_weights, features))


def _dot(weights: dict[str, float], features: dict[str, float]) -> float:
    return math.fsum(weights.get(name, 0.0) * value for name, value in features.items())


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(min(z, 40.0), -40.0)))


@lru_cache(maxsize=4)
def load_model(path: Path = RANKER) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model(
        dict(data["weights"]),
        dict(data["none_weights"]),
        dict(data["point_weights"]),
        tuple(data["calibration"]["platt"]),
        float(data["sure"]),
        data.get("none_at"),
        dict(data["calibration"]["weights"]) if "weights" in data["calibration"] else None,
    )


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return [e / total for e in exp]


def probabilities_of(model: Model, repo: RepoContext, features: list[dict[str, float]]) -> tuple[list[float], float]:
    """(each candidate's probability of being the evaluation, the none option's)."""
    scores = [model.score(f) for f in features]
    if not scores:
        return [], 1.0
    none = model.none_probability(none_row(repo, features, scores, [model.point(f) for f in features]))
    return [(1 - none) * p for p in softmax(scores)], none


def none_row(
    repo: RepoContext, features: list[dict[str, float]], scores: list[float], points: list[float]
) -> dict[str, float]:
    """The none option's features: the repo, and how strong its runnable candidates look (their
    `scores` and `points`; notebooks left out, `notebook`)."""
    runnable = [i for i in range(len(features)) if not notebook(features[i])]
    if not runnable:
        return none_features(repo)
    best = max(runnable, key=lambda i: scores[i])
    return none_features(repo, features[best], [scores[i] for i in runnable], max(points[i] for i in runnable))


def notebook(features: dict[str, float]) -> bool:
    """A notebook candidate: how strong the best one looks says nothing of whether the repo has a
    runnable evaluation (a repo with notebooks only has none: bench/corpus/LABELING.md; no dev label
    picks a notebook, SNUDerek/multiLSTM's test-set notebook included), so the none option weighs
    the other candidates."""
    return "origin=notebook" in features


def kin(candidate: Candidate) -> tuple[str, str]:
    """What a candidate runs, flags and configs aside: its folder and its script (or module, or
    the command itself when it names neither)."""
    return candidate.cwd, candidate.script or candidate.module or candidate.command


# A candidate within this factor of the pick's probability is one the ranker barely tells from it
# (scores within 0.1): on dev (out of fold, two sets of 3 draws) pooling those at 0.8, 0.9, 0.95 or
# 0.97 gave top-1 0.741-0.752, exact ties only 0.736.
NEAR = 0.9


def pick_mass(probabilities: list[float], kins: list[tuple[str, str]], best: int) -> float:
    """The probability that the pick (`best`) runs the evaluation as a label names it: its own,
    plus that of the candidates that run the same script with other flags or configs, and of those
    the ranker barely tells from it (`NEAR`). The conditional logit is fitted on "one of the right
    ones" (a label names every equivalent command), so it spreads the mass of n equivalent commands
    n ways: five entry points that each train an agent and print its score get 0.11 each, and the
    pick's share alone then lost to "no runnable evaluation" at 0.25 on dev repos whose evaluation it
    was. Out of fold, a best candidate with 0.15 of the candidates' mass was right for 0.61 of the
    eval repos, with 0.30 for 0.63 (p_none itself is calibrated: 0.29 -> 0.27, 0.49 -> 0.44)."""
    return math.fsum(probabilities[i] for i in pick_group(probabilities, kins, best))


def pick_group(probabilities: list[float], kins: list[tuple[str, str]], best: int) -> set[int]:
    """The pick (`best`) and the candidates that weigh with it (`pick_mass`)."""
    top = probabilities[best]
    return {i for i, p in enumerate(probabilities) if i == best or p >= NEAR * top or kins[i] == kins[best]}


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


# The log-odds of "an evaluation at all" given a repo with no candidate: as low as the lowest
# repo's best candidate on dev (out of fold -5.4; 1% of repos below -4.0).
NO_CANDIDATE_ODDS = -5.0


def confidence_features(
    probabilities: list[float], none: float, kins: list[tuple[str, str]], points: list[float], said_none: bool
) -> dict[str, float]:
    """What the whole ranking says of its pick, for the chance that the pick is right: the pick's
    probability (log-odds; "pick.none" and its own slope for a none pick, whose probability is not
    shrunk by P(none) the way a candidate's is); for a candidate pick, its margin over the best
    rival (the log ratio of its `pick_mass` to the best candidate outside it, or to P(none) when
    that is higher) and its log-odds of being an evaluation at all (`points`, the per-candidate
    model that is fitted on every repo, those with no evaluation included); and the highest such
    log-odds among the repo's candidates. On dev (out of fold, nested: the model and the threshold
    fitted without the repos scored) the pick's probability alone, Platt-calibrated, made 23% of
    repos sure at 94% right, AUC 0.70; these features 26% at 98%, AUC 0.77."""
    absolute = max(points, default=NO_CANDIDATE_ODDS)
    if said_none or not probabilities:
        logit = _logit(none)
        return {"pick.logit": logit, "pick.none": 1.0, "pick.none*logit": logit, "repo.best-odds": absolute}
    best = max(range(len(probabilities)), key=lambda i: (probabilities[i], -i))
    inside = pick_group(probabilities, kins, best)
    mass = math.fsum(probabilities[i] for i in inside)
    rival = max((p for i, p in enumerate(probabilities) if i not in inside), default=0.0)
    return {
        "pick.logit": _logit(probabilities[best]),
        "pick.margin": math.log(max(mass, 1e-6)) - math.log(max(rival, none, 1e-6)),
        "pick.odds": points[best],
        "repo.best-odds": absolute,
    }


def _evidence(model: Model, features: dict[str, float], k: int = 3) -> tuple[str, ...]:
    pushes = sorted(((model.weights.get(n, 0.0) * v, n) for n, v in features.items() if n != "bias"), reverse=True)
    return tuple(describe(name) for push, name in pushes[:k] if push > 0)


def rank(discovery: Discovery, model: Model | None = None) -> Ranking:
    """The candidates of a discovery, most probable first, and the pick."""
    model = model or load_model()
    repo = RepoContext.of(discovery)
    features = [candidate_features(c, repo) for c in discovery.candidates]
    probabilities, none_probability = probabilities_of(model, repo, features)
    order = sorted(range(len(features)), key=lambda i: (-probabilities[i], i))
    ranked = tuple(Ranked(discovery.candidates[i], probabilities[i], _evidence(model, features[i])) for i in order)
    kins = [kin(c) for c in discovery.candidates]
    mass = pick_mass(probabilities, kins, order[0]) if ranked else 0.0
    threshold = model.none_at if model.none_at is not None else mass
    best = ranked[0] if ranked and none_probability < threshold else None
    points = [model.point(f) for f in features]
    confidence = model.confidence(confidence_features(probabilities, none_probability, kins, points, best is None))
    return Ranking(ranked, none_probability, confidence, confidence >= model.sure, best.candidate if best else None)
