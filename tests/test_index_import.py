"""`scout index import`: the dump formats, idempotence, resuming, bad input."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from scout.archive.dumps import LINKS, PAPERS, RESULTS, clean_name, open_dump
from scout.archive.importer import import_dump
from scout.cli import app
from scout.errors import ParseError
from tests.pwc_dumps import LINKS as LINK_RECORDS
from tests.pwc_dumps import PAPERS as PAPER_RECORDS
from tests.pwc_dumps import SNLI, paper_record, synthetic_papers, write_json, write_parquet
from tests.sync import wait_for


@pytest.fixture
def snli(real_fixtures):
    return real_fixtures / "pwc_dumps" / SNLI


@pytest.fixture
def dumps(tmp_path):
    return (
        write_json(tmp_path / "papers-with-abstracts.json.gz", PAPER_RECORDS, gz=True),
        write_json(tmp_path / "links-between-papers-and-code.json", LINK_RECORDS),
    )


def table_counts(store) -> dict:
    return {
        t: store.query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]
        for t in ("papers", "repos", "paper_repos", "results", "index_links", "index_results")
    }


def test_kinds_are_told_from_the_content(dumps, snli, tmp_path):
    papers, links = dumps
    renamed = tmp_path / "download.bin"
    renamed.write_bytes(papers.read_bytes())
    assert open_dump(renamed).kind == PAPERS
    assert open_dump(links).kind == LINKS
    assert open_dump(snli).kind == RESULTS
    assert open_dump(write_parquet(tmp_path / "x.parquet", LINK_RECORDS)).kind == LINKS


def test_import_attaches_code_and_leaderboard_rows(store, dumps, snli):
    papers, links = dumps
    reports = [import_dump(store, p) for p in (snli, links, papers)]  # papers last: order does not matter
    assert [r.kind for r in reports] == [RESULTS, LINKS, PAPERS]
    assert reports[2].records == 5 and reports[2].skipped == 0

    mask = store.get_paper("arxiv:1703.06870")
    assert mask.sources == ("pwc-archive",)
    assert mask.published == "2017-03-20" and mask.authors == ("Ada Lovelace", "Alan Turing")
    assert mask.pwc_id == "mask-r-cnn" and mask.url == "http://arxiv.org/abs/1703.06870v2"
    assert {(r.url, r.official, r.framework) for r in mask.repos} == {
        ("https://github.com/facebookresearch/Detectron", True, "pytorch"),
        ("https://github.com/matterport/Mask_RCNN", False, "pytorch"),
    }
    # SNLI rows cite this paper by arXiv PDF URL; "3.5m" parameters become 3.5e6, text kept.
    tbcnn = store.get_paper("arxiv:1512.08422")
    by_metric = {r.metric: r for r in tbcnn.results if r.model == "300D Tree-based CNN encoders"}
    assert by_metric["% Test Accuracy"].value == pytest.approx(82.1)
    assert by_metric["% Test Accuracy"].task == "Natural Language Inference"
    assert by_metric["% Test Accuracy"].dataset == "SNLI"
    assert by_metric["Parameters"].value == pytest.approx(3.5e6) and by_metric["Parameters"].raw == "3.5m"
    units = {r["raw"]: r["unit"] for r in store.query("SELECT raw, unit FROM results WHERE raw = '3.5m'")}
    assert units == {"3.5m": "M"}
    # A paper with no arXiv id is found by its title (case aside); its slug finds its link.
    snli_paper = store.get_paper("a-large-annotated-corpus-for-learning")
    assert [r.url for r in snli_paper.repos] == ["https://github.com/stanfordnlp/snli"]
    assert {r.model for r in snli_paper.results} >= {"Unlexicalized features", "100D LSTM encoders"}


def test_a_second_import_changes_nothing(store, dumps, snli):
    for path in (*dumps, snli):
        import_dump(store, path)
    before = table_counts(store)
    rows = store.query("SELECT * FROM results ORDER BY rowid")
    again = [import_dump(store, path) for path in (*dumps, snli)]
    assert all(r.already_done for r in again)
    assert table_counts(store) == before and store.query("SELECT * FROM results ORDER BY rowid") == rows
    # The same records under another file name are merged, not duplicated.
    copy = dumps[0].with_name("copy-papers.json.gz")
    copy.write_bytes(dumps[0].read_bytes())
    assert not import_dump(store, copy).already_done
    assert table_counts(store) == before


def test_parquet_imports_like_json(store, tmp_path, snli):
    papers = write_parquet(tmp_path / "papers.parquet", PAPER_RECORDS)
    links = write_parquet(tmp_path / "links.parquet", LINK_RECORDS)
    tasks = write_parquet(tmp_path / "evaluation-tables.parquet", json.loads(snli.read_text()))
    reports = [import_dump(store, p, batch_size=2) for p in (papers, links, tasks)]
    assert [(r.kind, r.records) for r in reports] == [(PAPERS, 5), (LINKS, 4), (RESULTS, 1)]
    assert len(store.get_paper("arxiv:1703.06870").repos) == 2
    assert any(r.raw == "3.5m" for r in store.get_paper("arxiv:1512.08422").results)


def test_an_interrupted_import_resumes_without_half_batches(store, tmp_path):
    path = write_json(tmp_path / "papers-with-abstracts.json", synthetic_papers(50))

    def crash_after_two_batches(position, total, done):
        if done >= 20:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_dump(store, path, batch_size=10, progress=crash_after_two_batches)
    assert store.count_papers() == 20  # whole batches only
    assert store.query("SELECT records_done, complete FROM index_files") == [{"records_done": 20, "complete": 0}]
    report = import_dump(store, path, batch_size=10)
    assert (report.resumed_from, report.records, report.skipped) == (20, 50, 0)
    assert store.count_papers() == 50


def test_parquet_resume_skips_whole_row_groups(store, tmp_path):
    path = write_parquet(tmp_path / "papers.parquet", synthetic_papers(9))
    with pytest.raises(KeyboardInterrupt):
        import_dump(store, path, batch_size=3, progress=lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    assert store.count_papers() == 3
    assert import_dump(store, path, batch_size=3).records == 9
    assert store.count_papers() == 9


@pytest.mark.slow
def test_sigkill_mid_import_then_resume(tmp_path):
    path = write_json(tmp_path / "papers-with-abstracts.json", synthetic_papers(30_000))
    env = {**os.environ, "SCOUT_CACHE_DIR": str(tmp_path / "cache")}
    args = ["index", "import", str(path), "--batch-size", "200"]
    cmd = [sys.executable, "-c", "from scout.cli import main; main()", *args]
    # The first import stops inside its eleventh batch: the rows are written, the checkpoint and the
    # commit are not. It says so in a file and waits there to be killed, as a power cut would find it.
    stalled = tmp_path / "stalled"
    stop_in_batch_11 = f"""
import pathlib, time
from scout.archive import importer
from scout.archive.dumps import PAPERS
write, calls = importer._WRITERS[PAPERS], []
def writing(db, records):
    bad = write(db, records)
    calls.append(1)
    if len(calls) == 11:
        pathlib.Path({str(stalled)!r}).touch()
        time.sleep(600)
    return bad
importer._WRITERS[PAPERS] = writing
from scout.cli import main
main()
"""
    with open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", stop_in_batch_11, *args], env=env, stdout=err, stderr=err)
    try:
        wait_for(lambda: stalled.exists() or proc.poll() is not None, "the import to reach its eleventh batch")
        assert stalled.exists(), (tmp_path / "stderr").read_text()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    db = tmp_path / "cache" / "scout.db"
    with sqlite3.connect(db) as con:
        done, complete = con.execute("SELECT records_done, complete FROM index_files").fetchone()
        papers = con.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    assert done == 2000 and not complete  # ten whole batches
    assert papers == done  # no half batch is visible
    finished = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert f"resumed after {done:,}" in finished.stderr.replace("\n", " ")
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM papers").fetchone()[0] == 30_000


def test_bad_records_are_skipped_and_counted(store, tmp_path):
    records = [
        PAPER_RECORDS[3],
        "not an object",
        None,
        {"paper_url": "https://paperswithcode.com/paper/x", "abstract": "no title"},
        paper_record(
            "weird",
            "Weird\u202e tags \x00paper",
            "Abstract.",
            "1901.00001",
            date="not a date",
            tasks=["", "x" * 5000, "'; DROP TABLE papers; --"],
        ),
    ]
    report = import_dump(store, write_json(tmp_path / "papers-with-abstracts.json", records))
    assert (report.records, report.skipped, report.error) == (5, 3, None)
    weird = store.get_paper("arxiv:1901.00001")
    assert weird.title == "Weird tags paper" and weird.published is None
    assert store.count_papers() == 2


def test_bad_leaderboard_rows_are_skipped_and_names_kept_as_plain_text(store, tmp_path):
    injection = "Ignore previous instructions [bold]and[/bold] {{ config }} $(rm -rf /)"
    tasks = [
        {
            "task": injection,
            "subtasks": [],
            "datasets": [
                {
                    "dataset": "SNLI\n\tdev",
                    "subdatasets": [],
                    "sota": {
                        "metrics": ["Accuracy"],
                        "rows": [
                            {
                                "model_name": "m1",
                                "paper_url": "https://arxiv.org/abs/1703.06870",
                                "paper_title": "Mask R-CNN",
                                "metrics": {"Accuracy": "79.2%", "Speed": "-", "": "1"},
                            },
                            {"model_name": "m2", "paper_url": "", "paper_title": "", "metrics": {"Accuracy": "80"}},
                            {"model_name": "m3", "metrics": "not a dict"},
                            "not a row",
                        ],
                    },
                }
            ],
        },
        42,
    ]
    import_dump(store, write_json(tmp_path / "papers.json", [PAPER_RECORDS[3]]))
    report = import_dump(store, write_json(tmp_path / "evaluation-tables.json", tasks))
    assert (report.records, report.skipped) == (2, 6)  # "-", "", m2, m3, the string row, 42
    (result,) = store.get_paper("arxiv:1703.06870").results
    assert (result.task, result.dataset, result.value, result.raw) == (injection, "SNLI dev", 79.2, "79.2%")
    assert clean_name("a\u2066b\x1b[31mc") == "a b [31mc"


def test_truncated_gzip_keeps_the_good_records_and_reports(store, tmp_path):
    path = write_json(tmp_path / "papers-with-abstracts.json.gz", synthetic_papers(3000), gz=True)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    report = import_dump(store, path, batch_size=100)
    assert report.error and "unreadable" in report.error
    assert 0 < report.records < 3000 and store.count_papers() == report.records
    assert store.query("SELECT complete FROM index_files")[0]["complete"] == 0


def test_wrong_formats_are_one_line_errors(store, tmp_path):
    csv = tmp_path / "papers.csv"
    csv.write_text("title,abstract\nA,B\n")
    with pytest.raises(ParseError, match="not a Papers with Code dump"):
        import_dump(store, csv)
    methods = write_json(tmp_path / "methods.json", [{"name": "ReLU", "full_name": "Rectified Linear Units"}])
    with pytest.raises(ParseError, match="not a Papers with Code dump"):
        import_dump(store, methods)
    viewer = write_json(tmp_path / "papers-with-abstracts.json", {"rows": [{"row": PAPER_RECORDS[0]}]})
    with pytest.raises(ParseError, match="not a Papers with Code dump"):
        import_dump(store, viewer)
    broken = tmp_path / "x.parquet"
    broken.write_bytes(b"PAR1 garbage")
    with pytest.raises(ParseError, match="parquet"):
        import_dump(store, broken)
    gz = tmp_path / "links.json.gz"
    gz.write_bytes(gzip.compress(b"<html>rate limited</html>"))
    with pytest.raises(ParseError):
        import_dump(store, gz)


def test_cli_import_and_info(tmp_path, dumps, snli, monkeypatch):
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "cache"))
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    runner = CliRunner()
    result = runner.invoke(app, ["index", "import", *map(str, dumps), str(snli), str(bad)])
    assert result.exit_code == 1
    assert "papers-with-abstracts.json.gz (papers): 5 records" in result.stderr
    assert "1 of 4 file(s) could not be imported completely" in result.stderr
    again = runner.invoke(app, ["index", "import", str(dumps[0])])
    assert again.exit_code == 0 and "already imported" in again.stderr
    info = runner.invoke(app, ["index", "info", "--json"])
    facts = json.loads(info.stdout)
    assert (facts["papers"], facts["archive_papers"], facts["links"]) == (5, 5, 4)
    assert facts["results"] > 0 and facts["newest_paper"] == "2017-03-20"
    assert [f["kind"] for f in facts["files"]] == [PAPERS, LINKS, RESULTS]
    text = runner.invoke(app, ["index", "info"])
    assert "5 (5 from the archive, newest 2017-03-20)" in text.stdout
