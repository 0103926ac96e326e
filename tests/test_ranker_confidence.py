"""The confidence of a plan's pick: what the whole ranking says of it (`confidence_features`), the
logistic model that bench/fit_ranker.py fits on out-of-fold picks and rank.py applies, the
fallback to Platt on the pick's probability for an older ranker.json, the `sure` threshold by the
picks' mean confidence, and the nested measure that never scores a repo with a model or threshold
fitted on it. Hand-set weights: nothing here depends on a fit of the corpus."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bench.fit_ranker import confidences, fit_confidence, nested, sure_threshold
from scout.baseline.discover.candidates import find_candidates
from scout.baseline.discover.rank import NO_CANDIDATE_ODDS, Model, confidence_features, load_model, rank
from tests.repo_shapes import rl_zoo


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_a_candidate_pick_is_weighed_against_its_best_rival_outside_its_own_script():
    # Two commands of one script (`main.py --test` and `main.py --eval`) share the pick's mass; the
    # best other command has 0.1, below P(none) = 0.2, so the pick's margin is over P(none).
    kins = [("", "main.py"), ("", "main.py"), ("", "demo.py")]
    got = confidence_features([0.5, 0.2, 0.1], 0.2, kins, [1.0, 0.5, 2.0], said_none=False)
    assert got == pytest.approx(
        {"pick.logit": 0.0, "pick.margin": math.log(0.7 / 0.2), "pick.odds": 1.0, "repo.best-odds": 2.0}
    )
    # A rival above P(none) is the one the pick is weighed against.
    got = confidence_features([0.5, 0.2, 0.25], 0.05, kins, [1.0, 0.5, 2.0], said_none=False)
    assert got["pick.margin"] == pytest.approx(math.log(0.7 / 0.25))


def test_a_none_pick_has_its_own_offset_and_slope():
    got = confidence_features([0.3], 0.7, [("", "a.py")], [-1.0], said_none=True)
    odds = math.log(0.7 / 0.3)
    assert got == pytest.approx({"pick.logit": odds, "pick.none": 1.0, "pick.none*logit": odds, "repo.best-odds": -1.0})
    nothing = confidence_features([], 1.0, [], [], said_none=True)
    assert nothing["repo.best-odds"] == NO_CANDIDATE_ODDS and nothing["pick.none"] == 1.0


def test_the_confidence_is_the_fitted_logistic_model_or_platt_without_one():
    features = {"pick.logit": math.log(3), "pick.margin": 1.0, "pick.odds": 0.5, "repo.best-odds": 0.5}
    weights = {"bias": -0.5, "pick.logit": 0.2, "pick.margin": 0.8, "pick.odds": 0.4}
    fitted = Model({}, {}, {}, (2.0, 0.0, 1.0, 0.0), sure=0.9, confidence_weights=weights)
    assert fitted.confidence(features) == pytest.approx(_sigmoid(-0.5 + 0.2 * math.log(3) + 0.8 + 0.2))
    older = Model({}, {}, {}, (2.0, 0.0, 1.0, -1.0), sure=0.9)
    assert older.confidence(features) == pytest.approx(older.calibrate(0.75)) == pytest.approx(0.9)
    none = {"pick.logit": math.log(3), "pick.none": 1.0, "pick.none*logit": math.log(3), "repo.best-odds": 0.0}
    assert older.confidence(none) == pytest.approx(older.calibrate(0.75, none=True))


def test_rank_gives_the_models_confidence_and_sure_from_its_threshold(tmp_path):
    found = find_candidates(rl_zoo(tmp_path))
    none_weights = {"none:bias": math.log(0.4 / 0.6)}
    weights = {"bias": 0.0, "pick.margin": 1.0}
    ranking = rank(found, Model({}, none_weights, {}, (1.0, 0.0, 1.0, 0.0), sure=0.55, confidence_weights=weights))
    # The five share 0.6 against P(none) = 0.4: margin log(0.6 / 0.4), confidence 0.6.
    assert ranking.pick is ranking.ranked[0].candidate
    assert ranking.confidence == pytest.approx(0.6) and ranking.sure
    ranking = rank(found, Model({}, none_weights, {}, (1.0, 0.0, 1.0, 0.0), sure=0.65, confidence_weights=weights))
    assert ranking.confidence == pytest.approx(0.6) and not ranking.sure


def test_an_older_ranker_json_without_confidence_weights_falls_back_to_platt(tmp_path):
    from scout.baseline.discover.rank import RANKER

    data = json.loads(RANKER.read_text())
    data["calibration"] = {"method": "platt", "platt": [1.0, 0.5, 1.0, 0.0]}
    older = tmp_path / "ranker.json"
    older.write_text(json.dumps(data))
    model = load_model(older)
    assert model.confidence_weights is None
    repo = tmp_path / "repo"
    repo.mkdir()
    rl_zoo(repo)
    ranking = rank(find_candidates(repo), model)
    p = ranking.ranked[0].probability if ranking.pick else ranking.none_probability
    assert ranking.confidence == pytest.approx(model.calibrate(p, none=ranking.pick is None))
    data["calibration"]["weights"] = {"bias": 2.0}
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(data))
    assert load_model(newer).confidence_weights == {"bias": 2.0}
    assert rank(find_candidates(repo), load_model(newer)).confidence == pytest.approx(_sigmoid(2.0))


def _picks(n: int, seed: int = 0) -> tuple[list[dict[str, float]], np.ndarray]:
    rng = np.random.default_rng(seed)
    margin = rng.normal(1.0, 1.5, n)
    odds = rng.normal(0.0, 1.0, n)
    right = rng.random(n) < 1 / (1 + np.exp(-(0.5 + 1.5 * margin + 0.5 * odds)))
    return [{"pick.margin": float(m), "pick.odds": float(o)} for m, o in zip(margin, odds)], right


def test_the_confidence_weights_reproduce_the_standardized_fit_on_raw_features():
    features, right = _picks(300)
    weights = fit_confidence(features, right, C=0.3)
    X = np.array([[f["pick.margin"], f["pick.odds"]] for f in features])
    reference = LogisticRegression(C=0.3, max_iter=5000).fit((X - X.mean(0)) / X.std(0), right.astype(int))
    expected = reference.predict_proba((X - X.mean(0)) / X.std(0))[:, 1]
    assert confidences(weights, features) == pytest.approx(expected, abs=1e-9)
    assert weights["pick.margin"] > 0
    assert fit_confidence(features, np.ones(300, dtype=bool)) == {"bias": 10.0}


def test_sure_is_where_the_mean_confidence_of_the_surest_picks_falls_to_the_target():
    conf = np.array([0.99, 0.98, 0.97, 0.90, 0.50])
    assert sure_threshold(conf) == 0.97  # 0.98 on average down to it; 0.96 with 0.90
    assert sure_threshold(conf, min_picks=4) == 1.01  # never sure on fewer picks than that
    assert sure_threshold(np.array([0.99, 0.98, 0.98, 0.90])) == 0.98  # equal confidences stay together


def test_the_nested_measure_never_scores_a_repo_with_what_was_fitted_on_it():
    features, right = _picks(120, seed=1)
    repo_of = np.tile(np.arange(40), 3)  # three draws of the folds over 40 repos
    conf, sure = nested(features, right, repo_of, draws=3)
    flipped = right.copy()
    flipped[repo_of == 7] = ~flipped[repo_of == 7]
    again, sure_again = nested(features, flipped, repo_of, draws=3)
    assert again[repo_of == 7] == pytest.approx(conf[repo_of == 7])
    assert (sure_again[repo_of == 7] == sure[repo_of == 7]).all()
    assert again[repo_of != 7] != pytest.approx(conf[repo_of != 7])  # the others' models saw repo 7
