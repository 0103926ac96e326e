"""How fast `scout search` answers on this machine, end to end, against the search issue's targets.

    python bench/search.py                 # everything; 1M rows in (e) need ~3 GB of memory
    python bench/search.py --rows 10000 100000
    python bench/search.py --before HEAD~3 # (d) also by scout at that revision, in the same run
    python bench/search.py --serve         # replay the recorded sources for trying scout by hand

(a) `scout --help`: wall time, and which heavy modules (torch, onnxruntime...) it imported.
(b) a repeated identical search, everything cached (HTTP answers and embeddings).
(c) a new query against 10k stored papers with --offline: only the query needs embedding.
(d) a first search in an empty cache: every abstract the sources return is embedded. With
    --before, scout at that revision runs it too, alternated, for a before/after of one run. Once
    with the recorded answers at once, once (d*) with the sources as observed (PwC search rows
    carry no abstract, so they are looked up) and assumed round trips.
    Also the one-time export of the ONNX graph, which a user pays once per model version.
(e) exact top-k of one query against 10k / 100k / 1M stored unit vectors (NumPy, in process).

(b)-(d) run the real `scout search ... --json` as a subprocess. Its sources are replayed by an HTTP
server on 127.0.0.1 that answers from ../shared/fixtures/real, read in place: arXiv the recorded
100-entry Atom feed (an id_list lookup: the asked papers of the PwC list), Papers with Code the
recorded 50-paper list page (details of those papers, with repos drawn from the recorded GitHub
answers, and the recorded results list), HF Papers the recorded search answer, GitHub the
recorded /repos answers; anything else is a 404. Stored papers in (c)
are synthetic (words from those abstracts) with random unit vectors: the figure times the search,
not the model. Writes bench/results/search.md."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.sax.saxutils import escape

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scout.config import DEFAULT_MODEL, URL_ENV
from scout.models import Paper
from scout.search.embed import FEED_FORWARD_INT8_MODEL, embed_texts, onnx_path
from scout.store import Store
from scout.store.vectors import top_k
from tests.replay import ReplayServer

FIXTURES = ROOT.parent / "shared" / "fixtures" / "real"
RESULTS = ROOT / "bench" / "results"
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")
QUERY = "mask classification for semantic segmentation"
STORED_PAPERS = 10_000
TOP_K = 200  # what an offline search asks of the stored papers: max(10 x limit, 200)
# Assumed round trips of the real APIs (none can be measured here); arXiv also keeps its 3 s
# between requests, so the batched lookup of missing abstracts waits for it.
OBSERVED_LATENCY_S = {"/arxiv/": 1.0, "/pwc/": 0.4, "/hf/": 0.3, "/github/": 0.15}


# -- the machine -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    ram = "?"
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.+)", info).group(1).strip()
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kib / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    import onnxruntime

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, {platform.system()} {platform.machine()}, "
        f"load average {load} at the end; "
        f"Python {platform.python_version()}, NumPy {np.__version__}, ONNX Runtime {onnxruntime.__version__}"
    )


# -- sources replayed from recorded answers -----------------------------------------------------


def _load_json(relative: str):
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


class Replay:
    """Canned answers per route, built once from the recorded fixtures."""

    def __init__(self):
        self.atom = (FIXTURES / "arxiv/arxiv.py_recorded_2026/q_testing_s0_m100_cfe7536492ca.body.xml").read_bytes()
        self.pwc_list = _load_json("pwc_api/codingpot_paperswithcode-go/paper_list_response.json")
        self.pwc_results = _load_json("pwc_api/codingpot_paperswithcode-go/paper_result_list.json")
        self.hf_search = _load_json("hf_papers/hf-mcp-server/papers_search_q_llama_3_herd.json")
        # Only answers recorded with HTTP 200 (the files without a status suffix).
        self.github = {
            path.stem[len("repos_") :].replace("__", "/", 1).lower(): path.read_bytes()
            for path in sorted(FIXTURES.glob("github/*/decoded_repos/repos_*.json"))
            if not re.search(r"_\d{3}$", path.stem)
        }
        repos = sorted(self.github)
        self.pwc_details = {}
        for item in self.pwc_list["results"]:
            repo = repos[zlib.crc32(item["id"].encode()) % len(repos)]
            detail = {**item, "repositories": [{"url": f"https://github.com/{repo}", "is_official": True}]}
            for key in (item["id"], item.get("arxiv_id")):
                if key:
                    self.pwc_details[key] = detail
        self.log: list[tuple[str, int]] = []  # (path, status) of every request answered
        # False: the recorded answers at once. True: the sources as observed in late 2026 (apis.md
        # 1.3a: a PwC search row has no abstract), each answer delayed by OBSERVED_LATENCY_S.
        self.observed = False

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        status, content_type, body = self._route(path, query)
        self.log.append((path, status))
        if self.observed:
            time.sleep(next((s for prefix, s in OBSERVED_LATENCY_S.items() if path.startswith(prefix)), 0.0))
        return status, content_type, body

    def arxiv_by_ids(self, ids: list[str]) -> bytes:
        """An Atom feed of the asked papers that PwC lists (arXiv's answer to an id_list lookup)."""
        rows = {item["arxiv_id"]: item for item in self.pwc_list["results"] if item.get("arxiv_id")}
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/{i}v1</id><title>{escape(rows[i]['title'])}</title>"
            f"<summary>{escape(rows[i]['abstract'] or '')}</summary>"
            f"<published>{rows[i].get('published') or '2020-01-01'}T00:00:00Z</published>"
            f"<author><name>A. Author</name></author></entry>"
            for i in ids
            if i in rows
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
            ' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><title>arXiv Query: id_list</title>'
            f"<opensearch:totalResults>{entries.count('<entry>')}</opensearch:totalResults>"
            f"<opensearch:startIndex>0</opensearch:startIndex>{entries}</feed>"
        ).encode()

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        as_json = "application/json"
        if path == "/arxiv/api/query":
            ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
            return 200, "application/atom+xml; charset=utf-8", self.arxiv_by_ids(ids) if ids else self.atom
        if path == "/pwc/papers/search":
            page = int(query.get("page", ["1"])[0])
            size = int(query.get("page_size", ["50"])[0])
            results = self.pwc_list["results"][(page - 1) * size : page * size]
            if self.observed:
                results = [{**row, "abstract": None} for row in results]
            return 200, as_json, json.dumps({**self.pwc_list, "results": results}).encode()
        if path.startswith("/pwc/papers/"):
            # By arXiv id the relaunched API answers at papers/arxiv/{id} (apis.md 1.3a).
            key = unquote(path[len("/pwc/papers/") :]).strip("/").removeprefix("arxiv/")
            detail = self.pwc_details.get(key)
            if detail is not None:
                return 200, as_json, json.dumps(detail).encode()
        if path.rstrip("/") == "/pwc/evaluations":
            return 200, as_json, json.dumps(self.pwc_results).encode()
        if path == "/hf/api/papers/search":
            return 200, as_json, json.dumps(self.hf_search).encode()
        if path.startswith("/github/repos/"):
            body = self.github.get(path[len("/github/repos/") :].strip("/").lower())
            if body is not None:
                return 200, as_json, body
        return 404, as_json, b'{"detail": "Not found."}'


@contextmanager
def replay_server():
    replay = Replay()

    def route(path: str, query: dict[str, str]):
        status, content_type, body = replay.answer(path, {k: [v] for k, v in query.items()})
        return status, content_type, body, {}

    with ReplayServer({"": route}) as server:
        yield replay, server.url


# -- running scout -----------------------------------------------------------------------------


def scout_command() -> list[str]:
    script = Path(sys.executable).with_name("scout")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from scout.cli import main; main()"]


def scout_env(cache_dir: Path, base_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("SCOUT_") and k not in ("GITHUB_TOKEN", "S2_API_KEY")
    }
    env["SCOUT_CACHE_DIR"] = str(cache_dir)
    # Models and HTTP answers in the same fresh folder: "an empty cache" stays empty of both.
    env["SCOUT_SHARED_CACHE_DIR"] = str(cache_dir)
    paths = {"pwc": "/pwc", "arxiv": "/arxiv/api/query", "hf": "/hf", "github": "/github", "s2": "/s2"}
    for name, var in URL_ENV.items():
        env[var] = base_url + paths.get(name, f"/{name}")
    return env


@dataclass(frozen=True)
class Timed:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child: less sensitive than wall to a busy machine
    stdout: str


def timed(command: list[str], env: dict[str, str], cwd: Path) -> Timed:
    """Run a command to the end; a failure raises with its last stderr line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise RuntimeError(lines[-1][:200])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, done.stdout)


def timed_scout(args: list[str], env: dict[str, str], cwd: Path) -> Timed:
    return timed([*scout_command(), *args], env, cwd)


def median_of(runs: list[Timed]) -> str:
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    return f"{wall:.2f} s (CPU {cpu:.2f} s)"


def count_rows(cache_dir: Path, table: str) -> int:
    with sqlite3.connect(cache_dir / "scout.db") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def fresh_cache(root: Path, name: str, models: Path) -> Path:
    """An empty cache dir that already holds the exported ONNX graphs, float and int8 (linked, not
    re-exported)."""
    cache = root / name
    folder = onnx_path(cache).parent
    folder.mkdir(parents=True)
    for graph in models.glob("*.onnx"):
        try:
            os.link(graph, folder / graph.name)
        except OSError:
            shutil.copy2(graph, folder / graph.name)
    return cache


# -- the figures -------------------------------------------------------------------------------


def bench_help(cwd: Path, runs: int = 5) -> dict:
    env = scout_env(cwd / "help-cache", "http://127.0.0.1:9")
    timings = [timed_scout(["--help"], env, cwd) for _ in range(runs)]
    probe = (
        "import sys; sys.argv = ['scout', '--help']\nfrom scout.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules) or 'none', file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    imported = done.stderr.strip().splitlines()[-1]
    return {"time": median_of(timings), "heavy": imported, "runs": runs}


def bench_export(root: Path) -> tuple[Timed, Path]:
    """The one-time export (and the int8 version a search ranks with), in its own process as a
    user's first search would pay it; returns the folder of the graphs."""
    cache = root / "export"
    code = (
        "from pathlib import Path; from scout.search.embed import load_embedder\n"
        f"for model in {(DEFAULT_MODEL, FEED_FORWARD_INT8_MODEL)!r}:\n"
        f"    load_embedder(model, Path({str(cache)!r})).encode(['warm up'])"
    )
    return timed([sys.executable, "-c", code], dict(os.environ), root), onnx_path(cache).parent


def checkout(revision: str, root: Path) -> Path:
    """The files of `revision` of this repository, for running scout as it was then."""
    target = root / f"scout-{revision.replace('/', '_')}"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def scout_at(tree: Path | None) -> list[str]:
    """The scout command of a checkout (its own code first on the path), or of this one."""
    if tree is None:
        return scout_command()
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from scout.cli import main; main()"
    return [sys.executable, "-c", code]


def first_search(root: Path, models: Path, base_url: str, replay: Replay, name: str, tree: Path | None = None) -> dict:
    """One search in an empty cache (the ONNX graph already exported): every abstract embedded;
    with `tree`, by the scout of that checkout."""
    cache = fresh_cache(root, name, models)
    command = scout_at(tree)
    asked = len(replay.log)
    run = timed([*command, "search", QUERY, "--json"], scout_env(cache, base_url), root)
    return {
        "run": run,
        "cache": cache,
        "embedded": count_rows(cache, "embeddings"),
        "results": len(json.loads(run.stdout)["results"]),
        "requests": len(replay.log) - asked,
    }


def bench_online(root: Path, models: Path, base_url: str, replay: Replay, repeats: int) -> dict:
    """(b) the same search repeated after a first one, everything cached."""
    first = first_search(root, models, base_url, replay, "online")
    env = scout_env(first["cache"], base_url)
    asked = len(replay.log)
    again = [timed_scout(["search", QUERY, "--json"], env, root) for _ in range(repeats)]
    if not all(json.loads(r.stdout)["results"] for r in again):
        raise RuntimeError("a repeated search returned no results")
    return {
        "repeat": median_of(again),
        "repeat_requests": (len(replay.log) - asked) / repeats,
        "repeat_embedded": count_rows(first["cache"], "embeddings") - first["embedded"],
    }


def on_a_terminal(command: list[str], env: dict[str, str], cwd: Path, marker: str) -> tuple[float, float]:
    """Run `command` with a pseudo-terminal as its stdout and stderr: seconds until `marker`
    (the table's title) first appears, and until it exits."""
    import pty
    import select

    leader, follower = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        env={**env, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "60"},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen, first = b"", None
    while True:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is gone
                break
            if not chunk:
                break
            seen = (seen + chunk)[-4096:]
            if first is None and marker.encode() in seen:
                first = time.perf_counter() - start
        elif proc.poll() is not None:
            break
    proc.wait()
    total = time.perf_counter() - start
    os.close(leader)
    if proc.returncode != 0:
        raise RuntimeError(f"scout on a terminal exited {proc.returncode}")
    return (first if first is not None else total), total


def bench_terminal(root: Path, models: Path, base_url: str, replay: Replay, repeats: int) -> dict:
    """(f) the first search as a person sees it: on a terminal, sources as observed."""
    replay.observed = True
    try:
        runs = []
        for i in range(repeats):
            cache = fresh_cache(root, f"terminal-{i}", models)
            runs.append(
                on_a_terminal([*scout_command(), "search", QUERY], scout_env(cache, base_url), root, repr(QUERY))
            )
    finally:
        replay.observed = False
    return {
        "first": statistics.median(r[0] for r in runs),
        "total": statistics.median(r[1] for r in runs),
        "worst_first": max(r[0] for r in runs),
    }


def bench_first(
    root: Path, models: Path, base_url: str, replay: Replay, repeats: int, observed: bool, before: Path | None
) -> dict:
    """(d) the first search, by the scout of `before` and by this one, alternated so both see the
    same machine."""
    replay.observed = observed
    try:
        runs = {"before": [], "after": []} if before else {"after": []}
        for i in range(repeats):
            for key in runs:
                mode = "observed" if observed else "recorded"
                tree = before if key == "before" else None
                runs[key].append(first_search(root, models, base_url, replay, f"{mode}-{key}-{i}", tree))
    finally:
        replay.observed = False
    last = runs["after"][-1]
    return {
        "before": median_of([r["run"] for r in runs["before"]]) if before else None,
        "after": median_of([r["run"] for r in runs["after"]]),
        "embedded": last["embedded"],
        "requests": last["requests"],
        "results": last["results"],
        "same_results": all(
            json.loads(b["run"].stdout)["results"] == json.loads(a["run"].stdout)["results"]
            for b, a in zip(runs.get("before", []), runs["after"])
        ),
    }


class RandomUnitVectors:
    """Stands in for the model when seeding the store: the bench times the search, not the model.
    Its vectors are stored as the model a search ranks with by default (MiniLM with int8 feed-forward layers)."""

    name = FEED_FORWARD_INT8_MODEL
    dim = 384

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def encode(self, texts, batch_size: int = 32):
        rows = self.rng.standard_normal((len(texts), self.dim), dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def synthetic_papers(count: int, replay: Replay) -> list[Paper]:
    texts = [item["abstract"] or "" for item in replay.pwc_list["results"]]
    texts += re.findall(r"<summary>(.*?)</summary>", replay.atom.decode(), flags=re.DOTALL)
    vocabulary = sorted(set(re.findall(r"[a-z]{3,}", " ".join(texts).lower())))
    rng = np.random.default_rng(7)
    papers = []
    for i in range(count):
        words = rng.choice(vocabulary, size=130)
        papers.append(
            Paper(
                title=" ".join(words[:8]).capitalize(),
                abstract=" ".join(words[8:]).capitalize() + ".",
                authors=("A. Author",),
                published=f"{2015 + i % 11}-0{1 + i % 9}-15",
                arxiv_id=f"{15 + i % 11}{1 + i % 9:02d}.{i:05d}",
                sources=("pwc",),
            )
        )
    return papers


def bench_offline(root: Path, models: Path, replay: Replay, repeats: int) -> dict:
    """(c) new queries against 10k stored papers, offline: only each query is embedded."""
    cache = fresh_cache(root, "offline", models)
    papers = synthetic_papers(STORED_PAPERS, replay)
    store = Store(cache / "scout.db")
    try:
        store.save_papers(papers)
        embed_texts([p.embedding_text() for p in papers], RandomUnitVectors(), store)
    finally:
        store.close()
    env = scout_env(cache, "http://127.0.0.1:9")  # nothing listens there: offline means offline
    before = count_rows(cache, "embeddings")
    runs = [timed_scout(["search", f"{QUERY} variant {i}", "--offline", "--json"], env, root) for i in range(repeats)]
    return {
        "time": median_of(runs),
        "stored": count_rows(cache, "papers"),
        "embedded": (count_rows(cache, "embeddings") - before) / repeats,
        "results": len(json.loads(runs[0].stdout)["results"]),
    }


def bench_rank(sizes: list[int], repeats: int = 20) -> dict[int, tuple[float, float]]:
    """Median and best ms of top_k for one query: matmul + argpartition over unit float32 vectors.
    The best run is what an idle machine gives; the median includes whatever else is running."""
    rng = np.random.default_rng(0)
    out = {}
    for n in sizes:
        matrix = rng.standard_normal((n, 384), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        queries = rng.standard_normal((repeats + 1, 384), dtype=np.float32)
        top_k(queries[-1], matrix, TOP_K)  # warm up
        times = []
        for q in queries[:repeats]:
            start = time.perf_counter()
            top_k(q, matrix, TOP_K)
            times.append(time.perf_counter() - start)
        out[n] = (statistics.median(times) * 1000, min(times) * 1000)
        del matrix
    return out


# -- the report --------------------------------------------------------------------------------


def _guard(fn, *args):
    try:
        return fn(*args), None
    except (RuntimeError, subprocess.CalledProcessError, OSError, ValueError, KeyError, AssertionError) as exc:
        return None, f"failed: {exc}"


def markdown(figures: list[tuple[str, str, str, str]], meta: str) -> str:
    lines = [
        "# scout search: speed",
        "",
        f"Machine: {meta}",
        "",
        "| figure | target | measured | notes |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in figures]
    return "\n".join(lines) + "\n"


def serve() -> int:
    """Replay the recorded sources until Ctrl-C, for trying scout by hand with no network."""
    with replay_server() as (_, base_url):
        for var, value in scout_env(Path("cache"), base_url).items():
            if var.startswith("SCOUT_") and var.endswith("_URL"):
                print(f"export {var}={value}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="stored-vector counts for (e)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per search figure (median)")
    parser.add_argument(
        "--before", metavar="REV", help="also time the first search (d) by scout at this git revision, alternated"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="only serve the recorded sources and print the variables that point scout at them",
    )
    parser.add_argument(
        "--only",
        default="abcdsfe",
        help="the figures to measure: a b c d s (d*) f e; e.g. --only bsf (default: all)",
    )
    args = parser.parse_args(argv)
    only = args.only
    if not FIXTURES.is_dir():
        print(f"recorded fixtures not found at {FIXTURES}", file=sys.stderr)
        return 1
    if args.serve:
        return serve()

    figures = []
    with tempfile.TemporaryDirectory(prefix="scout-bench-") as tmp, replay_server() as (replay, base_url):
        root = Path(tmp)
        print("(a) scout --help ...", file=sys.stderr)
        a, err = _guard(bench_help, root) if "a" in only else (None, "skipped")
        figures.append(
            (
                "(a) `scout --help`",
                "≤ 0.5 s, no torch",
                err or a["time"],
                "" if err else f"median of {a['runs']}; heavy modules imported: {a['heavy']}",
            )
        )

        before = checkout(args.before, root) if args.before else None
        print("one-time ONNX export ...", file=sys.stderr)
        export, models = bench_export(root)

        print("(b) repeated online search from recorded sources ...", file=sys.stderr)
        online, online_err = (
            _guard(bench_online, root, models, base_url, replay, args.repeats) if "b" in only else (None, "skipped")
        )
        figures.append(
            (
                "(b) repeated identical search, all cached",
                "≤ 1.5 s",
                online_err or online["repeat"],
                ""
                if online_err
                else f"median of {args.repeats}; {online['repeat_requests']:.0f} HTTP requests and "
                f"{online['repeat_embedded']} texts embedded per search",
            )
        )

        print(f"(c) offline search over {STORED_PAPERS:,} stored papers ...", file=sys.stderr)
        offline, err = _guard(bench_offline, root, models, replay, args.repeats) if "c" in only else (None, "skipped")
        figures.append(
            (
                f"(c) new query vs {STORED_PAPERS // 1000}k stored papers (`--offline`)",
                "≤ 1.5 s",
                err or offline["time"],
                ""
                if err
                else f"median of {args.repeats} new queries; {offline['embedded']:.0f} text "
                f"embedded per search; {offline['results']} results",
            )
        )

        latency = ", ".join(f"{prefix.strip('/')} {s} s" for prefix, s in OBSERVED_LATENCY_S.items())
        for observed, label, how in (
            (False, "(d) first search, empty cache, recorded answers at once", "the recorded answers"),
            (
                True,
                "(d*) first search, empty cache, sources as observed",
                f"PwC rows without abstracts (apis.md 1.3a), assumed round trips {latency}, arXiv's 3 s spacing",
            ),
        ):
            print(f"{label} ...", file=sys.stderr)
            first, err = (
                _guard(bench_first, root, models, base_url, replay, args.repeats, observed, before)
                if ("s" if observed else "d") in only
                else (None, "skipped")
            )
            compared = (
                f"median of {args.repeats} each, alternated with scout at {args.before}; "
                f"{'the same' if first and first['same_results'] else 'DIFFERENT'} results from both"
                if args.before
                else f"median of {args.repeats}"
            )
            figures.append(
                (
                    label,
                    "report",
                    err or (f"before {first['before']}; after {first['after']}" if args.before else first["after"]),
                    ""
                    if err
                    else f"{compared}. {how}; {first['embedded']} texts embedded, {first['requests']} HTTP "
                    f"requests, {first['results']} results",
                )
            )
        print("(f) first search on a terminal ...", file=sys.stderr)
        term, err = (
            _guard(bench_terminal, root, models, base_url, replay, args.repeats) if "f" in only else (None, "skipped")
        )
        figures.append(
            (
                "(f) first search on a terminal (a pty), sources as observed",
                "first table ≤ 2.5 s, total ≤ 4.0 s",
                err or f"first table {term['first']:.2f} s; total {term['total']:.2f} s",
                ""
                if err
                else f"median of {args.repeats} (slowest first table {term['worst_first']:.2f} s); "
                f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; same answers as (d*)",
            )
        )
        figures.append(
            (
                "(d') one-time ONNX export of the model",
                "report",
                f"{export.wall:.1f} s (CPU {export.cpu:.1f} s)",
                "the first search with a new cache dir or model version; imports torch",
            )
        )

    print("(e) top-k ranking ...", file=sys.stderr)
    ranks = bench_rank(sorted(args.rows)) if "e" in only else {}
    figures.append(
        (
            f"(e) rank 1 query, top {TOP_K}",
            "≤ 15 ms at 100k",
            " / ".join(f"{median:.1f} ms" for median, _ in ranks.values()),
            " / ".join(f"{n:,} rows" for n in ranks)
            + " (median of 20; best "
            + " / ".join(f"{best:.1f}" for _, best in ranks.values())
            + " ms); NumPy float32 matmul + argpartition, in process",
        )
    )

    report = markdown(figures, machine())
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search.md").write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
