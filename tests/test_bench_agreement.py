"""bench/corpus/agreement.py: two labelers' agreement and scout's pick judged by each, on labels
made here."""

from __future__ import annotations

import json

from bench.corpus.agreement import main, report
from tests.test_bench_repos import label


def _write(folder, rows):
    folder.mkdir()
    for row in rows:
        (folder / f"{row['repo'].replace('/', '+')}.json").write_text(json.dumps(row))


def test_agreement_and_scout_judged_by_each_label(tmp_path, capsys):
    first, second = tmp_path / "labels", tmp_path / "second"
    _write(
        first,
        [
            label("o/same", "dev", commands=[r"^python3? (\./)?eval\.py\b"], needs=[{"kind": "gpu", "what": "cuda"}]),
            label("o/none", "dev", eval=False),
            label("o/split", "dev", commands=[r"^python3? (\./)?test\.py\b"]),  # the second says none
            label("o/other", "dev", commands=[r"^python3? (\./)?eval\.py\b"], cwd="sub"),
            label("o/once", "dev", eval=False),  # labeled once: not in the figures
        ],
    )
    second_rows = [
        {"repo": "o/same", "eval": True, "commands": [r"^python eval\.py"], "examples": ["python eval.py --x 1"],
         "cwd": "", "confidence": "sure", "needs": [{"kind": "gpu", "what": "GPU"}, {"kind": "dataset", "what": "x"}]},
        {"repo": "o/none", "eval": False, "commands": [], "examples": [], "cwd": "", "confidence": "sure"},
        {"repo": "o/split", "eval": False, "commands": [], "examples": [], "cwd": "", "confidence": "unsure"},
        # the same script written from the root is the same run
        {"repo": "o/other", "eval": True, "commands": [r"^python sub/eval\.py"], "examples": ["python sub/eval.py"],
         "cwd": "", "confidence": "unsure"},
    ]  # fmt: skip
    _write(second, second_rows)
    scout = {
        "o/same": {"command": "python eval.py", "cwd": ""},
        "o/none": {"command": "python train.py", "cwd": ""},
        "o/split": {"command": None, "cwd": ""},  # right by the second reading only
        "o/other": {"command": "python eval.py", "cwd": "sub"},
    }
    result = report(second, first, scout)
    assert result["repos"] == 4 and result["agree"]["right"] == 3
    assert result["agree_second_sure"] == {"right": 2, "total": 2, "share": 1.0}
    assert [d["repo"] for d in result["disagreements"]] == ["o/split"]
    assert result["needs_covered"] == {"right": 1, "total": 1, "share": 1.0}  # o/same: gpu listed by both
    assert result["scout"]["first"]["right"] == 2 and result["scout"]["second"]["right"] == 3
    assert result["scout"]["either"]["right"] == 3 and result["scout"]["where_labelers_agree"]["right"] == 2
    assert result["scout"]["where_they_disagree"] == {"right": 1, "total": 1, "share": 1.0}
    assert main([str(second), "--labels", str(first)]) == 0
    out = capsys.readouterr().out
    assert "| labelers agree | 3/4, 75% |" in out and "disagree o/split: first eval, second none (unsure)" in out


def test_bad_input_is_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    (tmp_path / "second").mkdir()
    assert main([str(tmp_path / "second"), "--scout", str(bad)]) == 2
    assert capsys.readouterr().err.count("\n") == 2
