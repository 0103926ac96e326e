"""Bad input and damaged state: each is one line on stderr with exit 1 (or a usage error, exit 2),
never a traceback, and no data is lost or corrupted."""

from __future__ import annotations

import json
import math
import sqlite3

import httpx
import pytest
from typer.testing import CliRunner

from scout.cli import app
from scout.config import Settings
from scout.errors import SourceError
from scout.models import Paper, Repo
from scout.store import Store
from tests.cli_helpers import documented, run_baseline
from tests.fetch_rig import FakeClock
from tests.sync import GUARD_S


def cli(*args, env=None):
    return CliRunner().invoke(app, list(args), env=env)


def one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


@pytest.mark.parametrize("where", ["file", "below-file", "/dev/null"])
@pytest.mark.parametrize("command", [["runs"], ["cache", "info"], ["search", "x", "--offline"], ["index", "info"]])
def test_a_cache_dir_that_cannot_be_a_folder(tmp_path, where, command):
    (tmp_path / "file").write_text("x")
    path = {"file": tmp_path / "file", "below-file": tmp_path / "file" / "below", "/dev/null": "/dev/null"}[where]
    assert "cache dir" in one_line_error(cli(*command, "--cache-dir", str(path)))


@pytest.mark.parametrize(
    "args",
    [
        ["search", "x", "--limit", str(2**63)],
        ["baseline", "--seed", str(2**63)],
        ["baseline", "--seed", "-1"],
        ["baseline", "--seed", str(2**32)],
        ["baseline", "--timeout", "1e12"],
        ["search", "x", "--since", str(2**63)],
    ],
)
def test_numbers_out_of_range_are_usage_errors(cache, args):
    one_line_error(cli(*args, "--cache-dir", str(cache)), code=2)


def test_text_and_files_that_cannot_be_read(cache, monkeypatch):
    one_line_error(cli("search", "bad \udcff text", "--offline", "--cache-dir", str(cache)))
    # /dev/zero never ends: reading it would hang, so the answer itself shows it was never read.
    assert "not a regular file" in one_line_error(
        cli("search", "x", "--about", "@/dev/zero", "--cache-dir", str(cache))
    )
    assert "characters" in one_line_error(cli("search", "x" * 100_000, "--cache-dir", str(cache)))
    monkeypatch.setenv("SCOUT_PWC_URL", "http://[::1")
    assert "SCOUT_PWC_URL" in one_line_error(cli("search", "x", "--cache-dir", str(cache)))


def test_damaged_store_tables_and_columns(cache):
    store = Store(cache / "scout.db")
    store.close()
    db = sqlite3.connect(cache / "scout.db")
    db.execute(
        "INSERT INTO runs (id, started_at, repo, status, metrics, metrics_raw, paper_metrics, env) "
        "VALUES ('r-1', '2026', 'x', 'ok', '{not json', '[1]', '{\"a\": \"text\"}', 'null')"
    )
    db.commit()
    result = cli("runs", "--json", "--cache-dir", str(cache))
    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)["runs"]
    assert run["metrics"] == {} and run["paper_metrics"] == {}
    db.execute("DROP TABLE runs")
    db.commit()
    db.close()
    assert "cache clear" in one_line_error(cli("runs", "--cache-dir", str(cache)))


def test_a_busy_store_says_busy(cache, monkeypatch):
    Store(cache / "scout.db").close()
    monkeypatch.setattr("scout.store.BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(cache / "scout.db")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        message = one_line_error(cli("watch", "add", "masks", "mask classification", "--cache-dir", str(cache)))
    finally:
        holder.rollback()
        holder.close()
    assert "busy" in message and "unreadable" not in message


def test_infinite_and_nan_metrics_are_never_stored_or_printed(cache, make_git_repo):
    repo = make_git_repo(
        "inf", documented({"eval.py": "print('accuracy: -1e400')\nprint('test loss: nan')\nprint('f1: 0.5')\n"})
    )
    run_baseline(cache, "--repo", str(repo), "--json")
    listing = cli("runs", "--json", "--cache-dir", str(cache))

    def refuse(token):
        raise AssertionError(f"{token} in the JSON")

    [run] = json.loads(listing.stdout, parse_constant=refuse)["runs"]
    assert all(math.isfinite(v) for v in run["metrics"].values())
    assert run["baseline_for"] in ([], ["f1"])


def test_repo_output_is_text_not_markup_or_escapes(cache, make_git_repo):
    noisy = (
        "print('[/bold] [red]x[/] \\x1b]8;;http://evil\\x1b\\\\link\\x1b]8;;\\x1b\\\\ \\x1b[2J', flush=True)\n"
        "print('accuracy: 0.5')\n"
    )
    repo = make_git_repo("[bold]noisy", documented({"eval.py": noisy}))
    result = run_baseline(cache, "--repo", str(repo))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "[bold]noisy: ok" in result.stderr
    table = cli("runs", "--format", "table", "--cache-dir", str(cache), env={"COLUMNS": "80"})
    assert "\x1b" not in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    assert "r-" in table.stdout and all(len(w) != 14 for w in table.stdout.split() if w.startswith("r-2"))


@pytest.mark.parametrize(
    "toml",
    [
        "command = 5\n",
        'command = "python eval.py"\nsetup = "pip install x"\n',
        'command = "python eval.py"\nsetup = [1, 2]\n',
        'command = "python eval.py"\nmetric_patterns = {a = 1}\n',
        'command = "python eval.py"\nmetrics_file = 3\n',
        'command = "python eval.py"\ntimeout = "soon"\n',
        'command = "python eval.py"\ntimeout = true\n',
        'eval = 3\ncommand = "python eval.py"\ntimeout = -1\n',
        "a = " + "[" * 5000 + "]" * 5000 + "\n",
    ],
)
def test_wrongly_typed_scout_toml(cache, make_git_repo, toml):
    repo = make_git_repo("typed", documented({"eval.py": "print('accuracy: 1')\n", "scout.toml": toml}))
    result = run_baseline(cache, "--repo", str(repo), "--json")
    assert "Traceback" not in result.output and result.exit_code == 1, result.output
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "failed" and "recipe" in run["message"]


def test_a_repos_own_timeout_never_lifts_the_limit(tmp_path):
    from scout.baseline.discover.recipes import Recipe
    from scout.baseline.execute.clone import Target
    from scout.baseline.execute.evaluate import Job, Layout, Options

    def job(own, source="scout.toml", **options):
        recipe = Recipe("python eval.py", source, timeout=own)
        return Job(
            "r", tmp_path, "t", Target("x"), Options(default_timeout=600, **options), Layout(tmp_path), recipe=recipe
        )

    assert job(1e12).timeout == 600 and job(60).timeout == 60 and job(float("inf")).timeout == 600
    assert job(1e12, timeout=5).timeout == 5
    assert job(7200, source="recipe cache/recipes/x.toml").timeout == 7200  # scout's own, from --timeout


def test_an_ext_url_from_a_source_is_refused(cache, tmp_path):
    marker = tmp_path / "ran"
    store = Store(cache / "scout.db")
    store.save_papers([Paper("P", arxiv_id="2101.00001", repos=(Repo(f"ext::sh -c touch% {marker}", official=True),))])
    store.record_search("q", None, "m", "2026-11-30T00:00:00Z", ["arxiv:2101.00001"])
    store.close()
    result = run_baseline(cache, "--top", "1", "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "failed" and "not a repository URL" in run["message"]
    assert not marker.exists()


def test_a_killed_clone_is_cleaned_up_next_time(cache, make_git_repo):
    from scout.baseline.execute.clone import slug

    repo = make_git_repo("big", documented({"eval.py": "print('accuracy: 1')\n"}))
    leftover = cache / "repos" / f".{slug(str(repo))}-999999999-tmpabc"
    leftover.mkdir(parents=True)
    (leftover / "pack").write_bytes(b"x" * 1000)
    assert run_baseline(cache, "--repo", str(repo)).exit_code == 0
    assert not leftover.exists()


def test_scout_new_without_a_git_identity(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "home").mkdir()
    result = cli(
        "new", "exp", "--template", "classification", "--dir", str(tmp_path / "exp"), "--cache-dir", str(tmp_path / "c")
    )
    assert result.exit_code == 0, result.output


def _fetcher(handler, clock=None, **settings):
    from scout.search.http import Fetcher

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return Fetcher(client, Settings(tries=1, **settings), sleep=lambda s: None, clock=clock or FakeClock())


def test_a_trickling_source_hits_the_total_deadline():
    clock, sent = FakeClock(), []

    class Trickle(httpx.SyncByteStream):
        def __iter__(self):
            for _ in range(100):
                clock.advance(0.25)  # a byte every 0.25 s, on the Fetcher's clock
                sent.append(b" ")
                yield b" "

    fetcher = _fetcher(
        lambda request: httpx.Response(200, headers={"Content-Type": "application/json"}, stream=Trickle()),
        clock=clock,
        timeout_s=0.5,
    )
    with pytest.raises(SourceError, match="longer than"):
        fetcher.get("pwc", "http://pwc.test/x", parse=json.loads)
    assert len(sent) == 5  # the total deadline is 2 x 0.5 s: the fifth byte comes after it


def test_a_huge_answer_is_cut_off(monkeypatch):
    monkeypatch.setattr("scout.search.http.MAX_BODY_BYTES", 1000)
    body = b"[" + b"0," * 5000 + b"0]"
    fetcher = _fetcher(lambda request: httpx.Response(200, headers={"Content-Type": "application/json"}, content=body))
    with pytest.raises(SourceError, match="larger than"):
        fetcher.get("pwc", "http://pwc.test/x", parse=json.loads)


def test_one_malformed_item_fails_only_itself():
    from scout.search.sources import hf, pwc

    # Papers with Code's parser reads wrong-typed fields defensively (issue 11): the row stays, its
    # bad fields do not; a row that cannot be a paper at all (no title) is the one dropped.
    page = pwc.parse_page(
        {"count": 3, "results": [{"title": "good"}, {"title": "bad", "arxiv_id": 12345, "authors": 5}, {"title": 7}]}
    )
    assert [p.title for p in page.papers] == ["good", "bad"]
    assert page.papers[1].authors == () and page.papers[1].arxiv_id in (None, "12345")
    assert [p.title for p in hf.parse_search([{"paper": {"id": 2101.1, "title": "x"}}, {"title": "y"}])] == ["y"]


def test_logs_cap_a_line_without_newlines(tmp_path):
    import io

    from scout.baseline.execute.process import MAX_LINE_CHARS, run_streaming

    lines = []
    log = io.BytesIO()
    script = "import sys; sys.stdout.write('x' * 3_000_000); sys.stdout.flush()"
    result = run_streaming(
        ["python3", "-c", script],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        log=log,
        timeout=GUARD_S,
        on_line=lines.append,
    )
    assert result.exit_code == 0 and not result.timed_out
    assert lines and max(map(len, lines)) <= MAX_LINE_CHARS
    assert len(log.getvalue()) == 3_000_000


@pytest.mark.slow
def test_a_garbled_onnx_graph_is_exported_again(tmp_path):
    from scout.search.embed import load_embedder, onnx_path

    graph = onnx_path(tmp_path)
    graph.parent.mkdir(parents=True)
    graph.write_bytes(b"\x08\x07garbage, cut short")
    vectors = load_embedder("all-MiniLM-L6-v2", tmp_path).encode(["mask classification"])
    assert vectors.shape == (1, 384) and graph.stat().st_size > 1_000_000


def test_stored_embeddings_of_mixed_dimension(store):
    import numpy as np

    store.put_embeddings("m", {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32), "c": np.ones(3, np.float32)})
    assert sorted(store.get_embeddings("m", ["a", "b", "c"])) == ["a", "b"]
