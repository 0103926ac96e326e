"""The CLI's conventions (DESIGN.md §3, issue 24): exit codes, JSON errors, --version, -h, shell
completion, tables for terminals and pipes, files for the user, confirmations, paper references."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import bibtexparser
import pytest
from rich.console import Console
from typer.testing import CliRunner

from scout import __version__, schema
from scout.cli import app
from scout.cli.baseline import _ledger_table
from scout.ledger import best_runs, record_run
from scout.models import Paper, RankedPaper, Repo, Result, Run
from scout.search.pipeline import SearchReport, SearchRequest
from scout.search.refs import paper_ref
from scout.search.render import render, table
from scout.store import Store
from tests.replay import ReplayServer
from tests.test_search_cli import _point_sources_at, recorded_routes  # noqa: F401

BOX = set("─━│┃┏┓┗┛┡┩└┘┌┐├┤┼╇╈")


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def error_object(result) -> dict:
    """The JSON line a --json failure writes last on stderr (after any progress or listing)."""
    return json.loads(result.stderr.strip().splitlines()[-1])["error"]


# -- version, help, completion ------------------------------------------------------------------


def test_the_entry_point_spares_the_exit_a_last_garbage_collection(monkeypatch):
    import gc

    from scout.cli import main

    monkeypatch.setattr("sys.argv", ["scout", "--version"])
    try:
        with pytest.raises(SystemExit):
            main()
        assert gc.get_freeze_count() > 0  # everything alive is out of the collector's reach
    finally:
        gc.unfreeze()


def test_version_and_short_help():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"scout {__version__}\n"
    for args in (["-h"], ["search", "-h"], ["runs", "rm", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and result.stdout.startswith("Usage: scout"), args
    assert "Exit status: 0 success" in run("-h").stdout  # the codes are in --help


def test_shell_completion_script_is_printed(monkeypatch):
    # --show-completion detects the shell from the process tree; a test run (nohup, CI) may have
    # none, so name it, as Typer's own tests do.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = run("--show-completion", "bash")
    assert result.exit_code == 0, result.output
    assert "complete" in result.stdout and "_SCOUT_COMPLETE" in result.stdout


def test_completion_answers_for_commands_and_options():
    script = Path(sys.executable).parent / "scout"
    if not script.exists():
        pytest.skip(f"no installed scout script beside {sys.executable} (pip install -e . makes it)")

    def complete(words: str) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
        answer = subprocess.run([str(script)], env={**env, "_SCOUT_COMPLETE": "complete_bash"}, capture_output=True)
        return answer.stdout.decode().split()

    assert complete("scout se") == ["search"]
    assert complete("scout runs --st") == ["--status"]
    assert complete("scout runs r") == ["rm"]


# -- exit codes and JSON errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["search", "q", "--no-such-flag"],
        ["search", "q", "--limit", "many"],
        ["search", "q", "--format", "yaml"],
        ["search"],
        ["runs", "--status", "exploded"],
        ["runs", "--since", "last tuesday"],
        ["sota", "x", "--format", "pdf"],
        ["nosuchcommand"],
    ],
)
def test_usage_errors_exit_2(cli_env, args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_with_json_a_usage_error_is_the_contract_object(cli_env):
    for args in (["search", "q", "--json", "--limit", "many"], ["search", "q", "--json", "--nope"]):
        result = run(*args)
        assert result.exit_code == 2 and result.stdout == ""
        error = error_object(result)
        assert error["code"] == "usage" and error["message"]


def test_a_paper_that_is_not_stored_is_not_found(cli_env):
    result = run("show", "https://arxiv.org/abs/2104.12255v2", "--json")
    assert result.exit_code == 1
    error = error_object(result)
    assert error["code"] == "not_found" and "(read as arxiv:2104.12255)" in error["message"]


def test_an_unreadable_answer_from_the_only_source_exits_4(cli_env, monkeypatch):
    html = lambda rest, query: (200, "text/html", b"<html>maintenance</html>", {})  # noqa: E731
    with ReplayServer({"/pwc": html}) as server:
        monkeypatch.setenv("SCOUT_PWC_URL", f"{server.url}/pwc")
        result = run("sota", "image classification", "--json")
    assert result.exit_code == 4, result.output
    error = error_object(result)
    assert error["code"] == "upstream" and "expected JSON but got 'text/html'" in error["message"]


# -- --repo ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["./typo", "../nowhere/repo", "/no/such/folder", "~/no-such-scout-repo"])
def test_a_repo_path_that_is_not_there_is_a_usage_error_and_records_nothing(cli_env, repo):
    result = run("baseline", "--yes", "--repo", repo)
    assert result.exit_code == 2, result.output
    assert "no such folder" in result.stderr
    assert not (cli_env / "cache").exists()


# -- tables: terminal and pipe --------------------------------------------------------------------


def _report(papers: list[Paper]) -> SearchReport:
    ranked = tuple(RankedPaper(p, i, 0.9 - i / 100, 0.7, close=i == 1) for i, p in enumerate(papers, 1))
    return SearchReport(SearchRequest("mask classification"), "m", "2026-12-01T00:00:00Z", {}, (), ranked, False, 1)


LONG = Paper(
    title="Per-Pixel Classification is Not All You Need for Semantic Segmentation, with a long subtitle",
    published="2021-07-13",
    arxiv_id="2107.06278",
    abstract="a",
    sources=("arxiv", "pwc", "hf"),
    repos=(
        Repo(url="https://github.com/facebookresearch/MaskFormer", official=True, stars=13579),
        Repo(url="https://github.com/o/r"),
    ),
    results=(Result(task="Semantic Segmentation", dataset="ADE20K val", metric="mIoU", value=55.6),),
)


def _lines(renderable, width: int = 80) -> list[str]:
    console = Console(width=width, file=StringIO(), force_terminal=False, color_system=None)
    console.print(renderable)
    return console.file.getvalue().splitlines()


def test_search_table_at_80_columns_keeps_the_repo_whole_and_explains_the_score():
    lines = _lines(table(_report([LONG]), 80))
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "facebookresearch/" in text and "MaskFormer" in text and "★13,579 +1" in text
    # Titles wrap between words: every word of the title is on one line.
    assert all(word in text for word in LONG.title.split())
    assert "score, 0 to 1" in text


def test_runs_table_at_80_columns_keeps_repo_status_and_seconds_whole():
    runs = [
        Run(
            id="r-20261130-0001",
            repo="https://github.com/kuangliu/pytorch-cifar",
            started_at="2026-11-30T10:00:00Z",
            status="no-metrics",
            seconds=1234.5,
            metrics={"test_accuracy": 0.9312},
            headline={"name": "test_accuracy"},
            claim={"value": 0.94},
            verdict="not_reproduced",
        )
    ]
    lines = _lines(_ledger_table(runs, best_runs(runs), "scout runs"), 80)
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for whole in ("kuangliu/pytorch-cifar", "no-metrics", "1,234 s", "0.9312", "not repr.", "r-20261130-0001"):
        assert whole in text, whole


def test_sota_table_at_80_columns_keeps_the_repo_and_the_numbers_whole():
    from scout.leaderboard.board import Leaderboard
    from scout.leaderboard.render import table as sota_table
    from scout.leaderboard.rows import Code, Metric, Row

    row = Row(
        method="Model soups (ViT-G/14)",
        metrics=(Metric("Top 1 Accuracy", 90.94, "90.94%"),),
        paper_title="Model soups: averaging weights of multiple fine-tuned models improves accuracy",
        year=2022,
        code=(Code("https://github.com/mlfoundations/model-soups", True, 4000), Code("https://github.com/o/r")),
        rank=1,
    )
    board = Leaderboard(
        "ic", "pwc", "Image Classification", "ImageNet", "Top 1 Accuracy", (row,), 812, None, (), (), "t"
    )
    lines = _lines(sota_table(board, 80), 80)
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for whole in ("mlfoundations/", "model-soups", "★4,000 (official) +1", "90.94%", "averaging"):
        assert whole in text, whole


def test_search_in_a_pipe_is_tab_separated_with_a_header(cli_env, recorded_routes, monkeypatch):  # noqa: F811
    with ReplayServer(recorded_routes) as server:
        _point_sources_at(monkeypatch, server)
        piped = run("search", "generative adversarial networks", "--limit", "5")
        table_ = run("search", "generative adversarial networks", "--limit", "5", "--format", "table")
    assert piped.exit_code == 0, piped.output
    assert not BOX & set(piped.stdout)
    header, *rows = piped.stdout.splitlines()
    assert header.split("\t")[:3] == ["rank", "id", "score"] and len(rows) == 5
    assert all(len(row.split("\t")) == len(header.split("\t")) for row in rows)
    assert {row.split("\t")[4] for row in rows} <= {"true", "false"}
    assert BOX & set(table_.stdout)  # asked for, the table is drawn anyway


def test_csv_booleans_and_bibtex_keys():
    twin = Paper(title="Per-Pixel Classification again", published="2021-09-01", authors=("A Cheng",), abstract="b")
    first = LONG.with_(authors=("Bowen Cheng",), title="Per-Pixel Classification")
    report = _report([first, twin, twin.with_(title="Per-Pixel classification, third", arxiv_id="2201.00001")])
    rows = render(report, "csv").splitlines()[1:]
    assert [row.split(",")[4] for row in rows] == ["true", "false", "false"]
    library = bibtexparser.parse_string(render(report, "bibtex"))
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == ["cheng2021pixela", "cheng2021pixelb", "cheng2021pixelc"]
    assert library.entries[0]["title"] == "{Per-Pixel Classification}"


# -- the ledger: filters, removal, paths ----------------------------------------------------------


def _ledger(cache: Path) -> None:
    store = Store(cache / "scout.db")
    try:
        for i, (repo, status, day) in enumerate(
            [
                ("kuangliu/pytorch-cifar", "ok", "2026-11-01"),
                ("o/r", "failed", "2026-11-20"),
                ("o/r", "ok", "2026-12-01"),
            ],
            start=1,
        ):
            run_dir = cache / "runs" / f"r-{i}"
            run_dir.mkdir(parents=True)
            (run_dir / "log.txt").write_text("accuracy: 0.9\n")
            record_run(
                store,
                cache / "runs",
                Run(
                    id=f"r-{i}",
                    repo=f"https://github.com/{repo}",
                    started_at=f"{day}T10:00:00Z",
                    status=status,
                    metrics={"accuracy": 0.9} if status == "ok" else {},
                    log=str(run_dir / "log.txt"),
                ),
            )
    finally:
        store.close()


def test_runs_filter_by_repo_status_and_date(cli_env):
    _ledger(cli_env / "cache")
    ids = lambda *args: [r["id"] for r in json.loads(run("runs", "--json", *args).stdout)["runs"]]  # noqa: E731
    assert ids() == ["r-1", "r-2", "r-3"]
    assert ids("--repo", "o/r") == ["r-2", "r-3"]
    assert ids("--repo", "KUANGLIU/pytorch-cifar") == ["r-1"]
    assert ids("--status", "ok") == ["r-1", "r-3"]
    assert ids("--since", "2026-11-20") == ["r-2", "r-3"]
    assert ids("--repo", "o/r", "--status", "ok", "--since", "2026-11-02") == ["r-3"]
    document = json.loads(run("runs", "--json").stdout)
    assert document["schema"] == schema.LEDGER
    assert all(Path(r["log"]).is_absolute() for r in document["runs"])
    piped = run("runs", "--status", "failed")
    assert piped.stdout.splitlines()[0].startswith("id\trepo\tcommit\tstatus")
    assert [line.split("\t")[0] for line in piped.stdout.splitlines()[1:]] == ["r-2"]


def test_runs_rm_asks_and_without_a_terminal_or_yes_removes_nothing(cli_env):
    cache = cli_env / "cache"
    _ledger(cache)
    refused = run("runs", "rm", "r-1", "--json")
    assert refused.exit_code == 5
    assert error_object(refused)["code"] == "declined"
    assert (cache / "runs" / "r-1").is_dir()
    missing = run("runs", "rm", "r-1", "r-9", "--yes")
    assert missing.exit_code == 1 and "no run r-9" in missing.stderr
    removed = run("runs", "rm", "r-1", "r-2", "--yes", "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout) == {"schema": schema.REMOVED, "removed": ["r-1", "r-2"]}
    assert not (cache / "runs" / "r-1").exists() and (cache / "runs" / "r-3").is_dir()
    assert [r["id"] for r in json.loads(run("runs", "--json").stdout)["runs"]] == ["r-3"]


def test_watch_rm_confirms(cli_env):
    assert run("watch", "add", "masks", "mask classification").exit_code == 0
    refused = run("watch", "rm", "masks")
    assert refused.exit_code == 5 and "pass --yes" in refused.stderr
    assert json.loads(run("watch", "list", "--json").stdout)["watches"][0]["name"] == "masks"
    assert run("watch", "rm", "nope", "--yes").exit_code == 1
    assert run("watch", "rm", "masks", "--yes").exit_code == 0
    listed = json.loads(run("watch", "list", "--json").stdout)
    assert listed == {"schema": schema.WATCH, "watches": []}


# -- files for the user ---------------------------------------------------------------------------


def test_exports_honour_the_umask(cli_env):
    _ledger(cli_env / "cache")
    old = os.umask(0o022)
    try:
        result = run("runs", "--export", "csv", "--out", "numbers.csv")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert Path("numbers.csv").stat().st_mode & 0o777 == 0o644


# -- paper references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key",
    [
        ("2104.12255", "arxiv:2104.12255"),
        ("arXiv:2104.12255v3", "arxiv:2104.12255"),
        ("https://arxiv.org/abs/2104.12255v2", "arxiv:2104.12255"),
        ("https://arxiv.org/pdf/2104.12255v1.pdf", "arxiv:2104.12255"),
        ("http://export.arxiv.org/abs/hep-th/9901001v1", "arxiv:hep-th/9901001"),
        ("10.48550/arXiv.2104.12255", "arxiv:2104.12255"),
        ("https://doi.org/10.48550/arXiv.2104.12255", "arxiv:2104.12255"),
        ("doi:10.1109/CVPR.2016.90", "doi:10.1109/cvpr.2016.90"),
        ("https://doi.org/10.1109/CVPR.2016.90", "doi:10.1109/cvpr.2016.90"),
        ("https://paperswithcode.co/paper/2104.12255", "arxiv:2104.12255"),
        (
            "https://paperswithcode.com/paper/per-pixel-classification-is-not-all-you",
            "per-pixel-classification-is-not-all-you",
        ),
        ("https://huggingface.co/papers/2104.12255", "arxiv:2104.12255"),
        ("title:0123456789abcdef", "title:0123456789abcdef"),
    ],
)
def test_paper_references(text, key):
    assert paper_ref(text) == key


def test_show_finds_a_stored_paper_by_every_reference(cli_env):
    cache = cli_env / "cache"
    cache.mkdir()
    store = Store(cache / "scout.db")
    try:
        store.save_papers([LONG.with_(doi="10.1109/cvpr.2021.1", pwc_id="per-pixel-classification-is-not-all-you")])
    finally:
        store.close()
    for ref in (
        "https://arxiv.org/pdf/2107.06278v2.pdf",
        "10.48550/arXiv.2107.06278",
        "https://doi.org/10.1109/CVPR.2021.1",
        "https://paperswithcode.com/paper/per-pixel-classification-is-not-all-you",
        "per-pixel-classification-is-not-all-you",
    ):
        result = run("show", ref, "--json")
        assert result.exit_code == 0, (ref, result.output)
        shown = json.loads(result.stdout)
        assert shown["schema"] == schema.SEARCH and shown["arxiv_id"] == "2107.06278", ref


def test_plan_with_every_repo_failed_exits_1(cli_env):
    result = run("baseline", "--repo", f"file://{cli_env}/no-such-repo", "--plan", "--json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["plans"][0]["error"]
    assert error_object(result)["code"] == "failed" and "no repo could be planned" in error_object(result)["message"]


@pytest.mark.parametrize(
    "args, version",
    [
        (["cache", "info", "--json"], schema.CACHE),
        (["index", "info", "--json"], schema.INDEX),
        (["watch", "list", "--json"], schema.WATCH),
        (["runs", "--json"], schema.LEDGER),
        (["runs", "--format", "json"], schema.LEDGER),
    ],
)
def test_every_json_document_carries_its_schema(cli_env, args, version):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema"] == version
