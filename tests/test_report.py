"""`scout report`: a recorded search (sources replayed as in test_search_cli), a test ledger and a
`scout new` project rendered to HTML and Markdown, parsed back and checked for real values."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scout.models import Paper, Repo, Result
from scout.report.experiment import read_experiment
from scout.report.gather import reported_leaderboard, stored_leaderboard
from scout.report.render import href, md, mdlink
from scout.store import Store
from tests.replay import ReplayServer
from tests.report_rig import (
    EVIL_LOG,
    EVIL_TITLE,
    Rig,
    add_experiment,
    add_ledger,
    add_reported_results,
    evil_title,
)
from tests.test_search_cli import _point_sources_at, recorded_routes, run  # noqa: F401


@pytest.fixture
def rig(cli_env, recorded_routes, monkeypatch) -> Rig:  # noqa: F811
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        found = run("search", "generative adversarial networks", "--json", "--limit", "15")
    assert found.exit_code == 0, found.output
    search = json.loads(found.stdout)
    cache = cli_env / "cache"
    add_ledger(cache)
    ids = [r["id"] for r in search["results"]]
    evil_title(cache, ids[1])
    add_reported_results(cache, ids[2:5])
    return Rig(cache=cache, experiment=add_experiment(cli_env / "digits"), search=search, evil_id=ids[1])


def _html(rig: Rig, *extra: str) -> tuple[BeautifulSoup, str, Path]:
    out = rig.cache.parent / "out" / "report.html"
    result = run("report", "--search", "latest", "--runs", "--experiment", str(rig.experiment), "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout
    text = out.read_text(encoding="utf-8")
    return BeautifulSoup(text, "lxml"), text, out


def _cells(row) -> list[str]:
    return [" ".join(td.get_text(" ", strip=True).split()) for td in row.find_all("td")]


def test_every_section_is_there_with_the_real_values(rig):
    soup, text, out = _html(rig)
    for section in ("prior-work", "leaderboard", "baselines", "experiment", "provenance"):
        assert soup.find(id=section) is not None, section

    # Prior work: the search's own papers, in its order, with its scores, code and results.
    rows = soup.select("#papers tbody tr")
    results = rig.search["results"]
    assert len(rows) == len(results) == 15
    for row, want in zip(rows, results):
        cells = _cells(row)
        assert cells[0] == str(want["rank"]) and cells[1] == f"{want['score']:.2f}"
        assert row.select_one("td.title").contents[0].get_text() == (
            EVIL_TITLE if want["id"] == rig.evil_id else want["title"]
        )
        assert cells[3] == str(want["year"] or "")
        assert bool(row.select(".badge.close")) == want["close_prior_work"]
        assert row["data-code"] == ("1" if want["repos"] else "0")
    gan_row = rows[[r["arxiv_id"] for r in results].index("1406.2661")]
    gan = next(r for r in results if r["arxiv_id"] == "1406.2661")
    code = gan_row.find_all("td")[4]
    assert code.a["href"] == gan["repos"][0]["url"] == "https://github.com/PyGithub/PyGithub"
    assert f"★{gan['repos'][0]['stars']:,}" in code.get_text()
    assert "mean iou (class) 85.1%" in _cells(gan_row)[5]

    # Leaderboard: the FID table those papers report, lower first.
    board = soup.select("#leaderboard tbody tr")
    assert [_cells(r)[2] for r in board] == ["12.7", "25.0", "31.4"]
    assert "Image Generation on CIFAR-10, by FID (lower is better)" in soup.select_one("#leaderboard .note").get_text()

    # Baselines: measured vs paper with the gap, status, commit, command, device and the log.
    runs = soup.select("#runs tbody tr")
    assert len(runs) == 2
    ok, failed = _cells(runs[0]), _cells(runs[1])
    assert ok[:3] == ["r-20261201-0001", "PyGithub/PyGithub", "ok"]
    assert ok[3] == "test_accuracy ★ test_loss ★" and ok[4] == "0.931 0.21" and ok[5] == "0.94" and ok[6] == "-0.009"
    # claim and verdict (ok[7], ok[8]) are empty: this ledger's runs predate claims
    assert ok[9] == "a" * 12 and ok[10] == "python eval.py --split test" and ok[11] == "cuda:0 (NVIDIA H200)"
    assert failed[2] == "failed" and failed[10] == "python test.py"
    for row, run_id in zip(runs, ("r-20261201-0001", "r-20261201-0002")):
        link = row.find_all("td")[-1].a["href"]
        assert (out.parent / link).resolve() == (rig.cache / "runs" / run_id / "log.txt").resolve()
    assert soup.select_one("#log-r-20261201-0002 pre").get_text() == EVIL_LOG.rstrip("\n")
    chart = soup.select_one("#claims-chart svg")
    assert chart is not None and "test_accuracy" in chart.get_text() and "0.94" in chart.get_text()

    # The experiment: the EXPERIMENTS.md runs table and the curves from runs.jsonl.
    header = [th.get_text(strip=True) for th in soup.select("#experiment-runs thead th")]
    assert header == ["run", "date (UTC)", "commit", "code", "config", "metrics", "note"]
    exp_rows = [_cells(r) for r in soup.select("#experiment-runs tbody tr")]
    assert [r[0] for r in exp_rows] == ["1", "2"] and exp_rows[0][6] == "smoke | first"
    assert exp_rows[1][5] == "val_accuracy=0.99, val_loss=0.336"
    curves = soup.select_one("#curves-chart svg").get_text()
    assert "val_accuracy" in curves and "run 2 train_loss" in curves

    footer = soup.find(id="provenance").get_text(" ", strip=True)
    assert "scout 0.1.0" in footer and "test-bag-of-words" in footer and "pwc: 50 papers" in footer
    assert "arxiv:" in footer and "hf:" in footer


def test_untrusted_text_shows_as_text_and_nothing_else_runs(rig):
    soup, text, _ = _html(rig)
    assert EVIL_TITLE in soup.get_text()
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and "window.__pwned" not in scripts[0].get_text()
    assert soup.find("img") is None and not soup.select("[onerror]")
    assert "<script>window.__pwned" not in text
    # The one script is the only one the page's policy lets run, and nothing may be fetched.
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    digest = base64.b64encode(hashlib.sha256(scripts[0].string.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert not soup.select("link, [src]"), "the page must not load anything"


def test_markdown_has_the_same_content(rig):
    out = rig.cache.parent / "report.md"
    result = run(
        "report", "--search", "latest", "--runs", "--experiment", str(rig.experiment), "--format", "md", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for heading in ("## Prior work", "## Leaderboard", "## Baselines", "## The experiment: digits"):
        assert heading in text
    gan = next(r for r in rig.search["results"] if r["arxiv_id"] == "1406.2661")
    assert f"[{md(gan['title'])}]({gan['url']})" in text
    assert "[PyGithub/PyGithub](https://github.com/PyGithub/PyGithub) ★7,122" in text
    assert (
        "| r-20261201-0001 | https://github.com/PyGithub/PyGithub | ok | test\\_accuracy ★ | 0.931 | 0.94 | -0.009 |"
        in text
    )
    assert "<script" not in text and "&lt;script&gt;window.\\_\\_pwned" in text
    assert "smoke \\| first" in text
    plots = sorted(p.name for p in (out.parent / "report_files").iterdir())
    assert plots == ["claims.svg", "curves.svg"]
    assert "](report_files/claims.svg)" in text and "](report_files/curves.svg)" in text
    assert (out.parent / "report_files" / "curves.svg").read_text().startswith("<svg")


def test_no_flags_reports_the_latest_search_and_the_ledger(rig):
    result = run("report")
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(Path("report.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find(id="prior-work") and soup.find(id="baselines") and soup.find(id="experiment") is None
    result = run("report", "--experiment", str(rig.experiment), "-o", "all.html")
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(Path("all.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find(id="prior-work") and soup.find(id="baselines") and soup.find(id="experiment")


def test_the_report_file_honours_the_umask_and_rendering_again_stores_no_search(rig):
    from scout.store import Store

    def searches() -> int:
        store = Store(rig.cache / "scout.db")
        try:
            return len(store.recent_searches(1000))
        finally:
            store.close()

    before = searches()
    old = os.umask(0o022)
    try:
        for _ in range(2):
            result = run("report", "-o", "mode.html")
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old)
    assert Path("mode.html").stat().st_mode & 0o777 == 0o644
    assert searches() == before


def test_only_what_is_asked_for(rig):
    result = run("report", "--runs", "-o", "runs.html")
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(Path("runs.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find(id="baselines") and soup.find(id="prior-work") is None and soup.find(id="leaderboard") is None


@pytest.mark.parametrize(
    "args, message, status",
    [
        (["--search", "99"], "no stored search 99; the latest are 1 ('generative adversarial networks')", 1),
        (["--search", "first"], "--search takes a search number or `latest`, not 'first'", 2),
        (["--format", "pdf"], "unknown --format 'pdf'; choose from html, md", 2),
        (["--experiment", "nowhere"], "--experiment nowhere is not a folder", 1),
        (["--experiment", "cache"], "is not a `scout new` project", 1),
        (["-o", "cache"], "-o cache is a folder", 1),
    ],
)
def test_bad_input_is_one_line_and_its_exit_status(rig, args, message, status):
    """A bad option value is a usage error (2); a value that names nothing there is a failure (1)."""
    result = run("report", *args)
    assert result.exit_code == status
    assert message in result.output and "Traceback" not in result.output


def test_an_empty_cache_has_nothing_to_report(cli_env):
    result = run("report")
    assert result.exit_code == 1 and "nothing to report" in result.output
    assert not (cli_env / "cache").exists(), "reading must not create a cache"
    Store(cli_env / "cache" / "scout.db").close()
    result = run("report")
    assert result.exit_code == 1 and "the store holds no search and no runs" in result.output


def test_an_experiment_alone_needs_no_store(cli_env, tmp_path):
    folder = add_experiment(tmp_path / "exp")
    result = run("report", "--experiment", str(folder), "-o", "x.html")
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(Path("x.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find(id="experiment") and soup.find(id="prior-work") is None
    assert soup.title.get_text() == "scout report: digits"


def test_a_search_stored_before_scores_were_kept_still_reports(store):
    paper = Paper(title="Old search paper", published="2020-01-01", arxiv_id="2001.00001", sources=("arxiv",))
    store.save_papers([paper])
    store.record_search("old", None, "m", "2020-01-01T00:00:00Z", [paper.id])
    from scout.report.gather import build_report

    report = build_report(store, cache_dir=Path(store.path).parent, search="latest", runs=False, experiment=None)
    row = report.prior_work.papers[0]
    assert row.title == "Old search paper" and row.score is None and not row.close
    assert report.provenance.sources == ("arxiv: 1 of the papers shown",)


def test_reported_leaderboard_takes_the_largest_table_best_first():
    def paper(title, *results):
        return Paper(
            title=title, published="2021-01-01", results=tuple(results), repos=(Repo("https://github.com/o/" + title),)
        )

    acc = lambda v: Result("Image Classification", "ImageNet", "Top-1 Accuracy", v, raw=f"{v}%")  # noqa: E731
    papers = [
        paper("a", acc(76.1)),
        paper("b", acc(80.2), acc(79.0)),
        paper("c", acc(71.0), Result("Detection", "COCO", "box AP", 40.0)),
        paper("d", Result(None, None, "Top-1 Accuracy", 99.0)),  # no task, no dataset: on no board
    ]
    board = reported_leaderboard(papers)
    assert (board.task, board.dataset, board.metric, board.higher_is_better) == (
        "Image Classification",
        "ImageNet",
        "Top-1 Accuracy",
        True,
    )
    assert [(e.paper_title, e.raw) for e in board.entries] == [("b", "80.2%"), ("a", "76.1%"), ("c", "71.0%")]
    assert board.entries[0].code_url == "https://github.com/o/b"
    assert reported_leaderboard([paper("e")]) is None


def _sota_body(query: str, task: str, method: str) -> dict:
    return {
        "query": query,
        "source": "pwc-archive",
        "task": task,
        "dataset": "ImageNet",
        "metric": "Top 1 Accuracy",
        "higher_is_better": True,
        "made_at": "2026-12-01T00:00:00Z",
        "total": 812,
        "rows": [
            {
                "rank": 1,
                "method": method,
                "value": 0.911,
                "metrics_raw": {"Top 1 Accuracy": "91.0%"},
                "paper": {"title": method, "url": "https://arxiv.org/abs/2205.01917"},
                "year": 2022,
                "code": [{"url": "https://github.com/lucidrains/CoCa-pytorch"}],
            }
        ],
    }


def _save_board(store, body: dict) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO leaderboards (query, made_at, body) VALUES (?, ?, ?)", ("q", "t", json.dumps(body)))


def test_a_leaderboard_saved_by_scout_sota_for_the_searched_task_wins(store):
    from scout.report.gather import leaderboard

    search_id = store.record_search("image classification", None, "m", "t", [])
    search = store.get_search(search_id)
    assert leaderboard(store, search, []) is None
    _save_board(store, _sota_body("image classification", "Image Classification", "CoCa"))
    _save_board(store, _sota_body("speech recognition", "Speech Recognition", "Whisper"))  # newer, unrelated
    board = leaderboard(store, search, [])
    assert board.total == 812 and board.entries[0].raw == "91.0%" and board.entries[0].method == "CoCa"
    assert board.entries[0].code_url == "https://github.com/lucidrains/CoCa-pytorch"
    assert "scout sota 'image classification'" in board.origin
    stored = stored_leaderboard(_sota_body("x", "X", "M"))
    assert stored.entries[0].method == "M"


def test_a_search_on_another_task_gets_no_stored_leaderboard(store):
    from scout.report.gather import leaderboard

    _save_board(store, _sota_body("speech recognition", "Speech Recognition", "Whisper"))
    search = store.get_search(store.record_search("mask classification", None, "m", "t", []))
    assert leaderboard(store, search, []) is None
    # ... unless its papers work on that task (a paper's reported results name it)
    segmenter = Paper(title="p", results=(Result(task="Speech Recognition", dataset="d", metric="WER", value=3.0),))
    assert leaderboard(store, search, [segmenter]).entries[0].method == "Whisper"


def test_experiment_reader_keeps_going_past_a_bad_line(tmp_path):
    folder = add_experiment(tmp_path / "exp")
    with (folder / "runs.jsonl").open("a") as records:
        records.write("{not json\n[1, 2]\n")
    experiment = read_experiment(folder)
    assert [r.run for r in experiment.runs] == ["1", "2"]
    assert experiment.runs[0].history["val_loss"][0] == pytest.approx(2.1)
    assert len(experiment.warnings) == 2 and "runs.jsonl:3 is not JSON" in experiment.warnings[0]


def test_links_are_web_addresses_and_markdown_is_escaped():
    assert href("https://github.com/o/r") == "https://github.com/o/r"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//x", None):
        assert href(bad) == ""
    assert mdlink("t", "javascript:alert(1)") == "t"
    assert mdlink("a [b]", "https://x.org/a b(c)") == "[a \\[b\\]](https://x.org/a%20b%28c%29)"
    assert md("<b>|x|</b> & *y*\nnext") == "&lt;b&gt;\\|x\\|&lt;/b&gt; &amp; \\*y\\* next"


def test_templates_ship_as_package_data():
    from importlib.resources import files

    names = {p.name for p in files("scout.report").joinpath("templates").iterdir()}
    assert {"report.html.j2", "report.md.j2", "report.css", "report.js"} <= names
    assert os.path.getsize(str(files("scout.report").joinpath("templates", "report.js"))) > 0
