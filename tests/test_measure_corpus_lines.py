"""The metric reader on lines real research repos print (tests/data/printed, each naming its repo,
commit and source line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scout.baseline.measure.logmetrics import read_output

CASES = json.loads((Path(__file__).parent / "data" / "printed" / "corpus_lines.json").read_text(encoding="utf-8"))


def test_the_fixtures_cover_thirty_repos():
    assert len({case["repo"] for case in CASES}) >= 30
    assert all(len(case["commit"]) == 40 for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['repo']}:{c['source'][:30]}" for c in CASES])
def test_corpus_lines(case):
    reading = read_output(case["text"])
    assert {name: m.value for name, m in reading.metrics.items()} == pytest.approx(case["metrics"])
    if case["flag"]:
        assert any(case["flag"] in note for note in reading.conflicts), reading.conflicts
    else:
        assert reading.conflicts == ()
    for metric in reading.metrics.values():  # every number keeps the line it came from
        assert metric.line and metric.line_no
