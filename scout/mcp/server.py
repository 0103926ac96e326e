"""`scout mcp`: scout as a Model Context Protocol server, for coding agents.

Each tool is one library call, like a CLI command: its result is the JSON that the command's
`--json` prints (the same render functions make both), as text and as structured content. A
ScoutError comes back as a tool error carrying its one-line message, and so does an argument that
fails the input schema; the server goes on serving either way. Long calls (search, sota,
plan_baseline, run_baseline) send progress notifications when the client asks for them.

Tool bodies run on worker threads (scout's library is synchronous); searches are serialised
because they share one embedder, which is loaded once per server."""

from __future__ import annotations

import json
import logging
import shlex
import threading
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio.to_thread
import mcp_types as types
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError, UnexpectedToolError
from pydantic import Field, ValidationError

from scout import __version__, schema
from scout.baseline.measure.seeds import MAX_SEEDS
from scout.config import Settings
from scout.errors import ConfigError, Declined, EvalError, ScoutError
from scout.mcp.progress import Progress
from scout.mcp.skill import skill_text
from scout.schema import versioned

SourceName = Literal["pwc", "arxiv", "hf"]
# Every argument is bounded: an agent's (or an injected) 2 MB string is a one-line tool error, never a
# request that fails deep inside an HTTP client. Booleans are strict: "yes" and 1 are not true.
SHORT = 200  # ids, names, devices
TEXT = 2_000  # a query, a repo URL or path, a --set value, a command
LONG = 20_000  # a project description
Flag = partial(Field, strict=True)
Repo = Annotated[str, Field(min_length=1, max_length=TEXT)]
SetValue = Annotated[str, Field(max_length=TEXT)]
# The arguments plan_baseline and run_baseline share, as `scout baseline` takes them.
Repos = Annotated[
    list[Repo],
    Field(max_length=20, description="Repo URLs or local paths (default: the top repos of the latest search)."),
]
Top = Annotated[int, Field(ge=1, le=20, description="How many repos to take from the latest search.")]
Cmd = Annotated[
    str | None, Field(max_length=TEXT, description="The evaluation command, instead of the one scout finds.")
]
Device = Annotated[str, Field(max_length=SHORT, description="auto, cpu, cuda or cuda:N.")]
Sets = Annotated[
    list[SetValue], Field(max_length=50, description="KEY=VALUE values for the command's placeholders (--set).")
]
Pick = Annotated[
    int | None,
    Field(
        ge=1,
        description="Run the plan's N-th candidate (1-based, as plan_baseline lists them) instead of its pick; "
        "one repo only. Needed when the plan is not sure (sure: false).",
    ),
]
INSTRUCTIONS = (
    "scout finds prior work for an ML task, measures the baseline to beat, and scaffolds the next "
    "experiment. Start with `search`; `show` gives one paper in full. Before `run_baseline`, call "
    "`plan_baseline` and read the command it would run: run_baseline runs code from the internet on "
    "this machine, so it refuses unless called with confirm: true. `runs` is the ledger of measured "
    "numbers; `new_experiment` starts a project from the best run (replacing a folder needs force: true "
    "and confirm: true; the old one is moved aside). Read the scout://skill resource "
    "for when to use each tool and what to check."
)
RUN_CODE = types.ToolAnnotations(
    title="Run a repository's evaluation",
    read_only_hint=False,
    destructive_hint=True,
    idempotent_hint=False,
    open_world_hint=True,
)
# Asks the sources or clones repos: writes only scout's cache.
OPEN_WORLD = types.ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=True)
READS_STORE = types.ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
WRITES_PROJECT = types.ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)


def result(payload: dict, text: str | None = None, notes: list[str] = (), error: str | None = None):
    """The tool's answer: the command's JSON as the first text block (and as structured content),
    then any notes. An error result leads with its one-line message."""
    blocks = [types.TextContent(type="text", text=text or json.dumps(payload, indent=2, ensure_ascii=False))]
    blocks += [types.TextContent(type="text", text=note) for note in notes]
    if error is not None:
        blocks.insert(0, types.TextContent(type="text", text=error))
    return types.CallToolResult(content=blocks, structured_content=payload, is_error=error is not None)


class _Server(MCPServer):
    """Turns scout's errors and rejected arguments into one-line tool errors, in one place."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context=None):
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            if isinstance(exc.__cause__, ScoutError):
                raise ToolError(_one_line(str(exc.__cause__))) from None
            raise
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"invalid arguments for {name}: {_validation_line(exc.__cause__)}") from None
            raise


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _validation_line(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


class ScoutTools:
    """The state one server keeps between calls: its settings, the embedder (loaded on first use)
    and the last search it ran (whose scores the store does not keep)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._embedder = None
        self._search_lock = threading.Lock()
        self._last_search = None  # (search id, its JSON)

    def session(self, settings: Settings | None = None):
        from scout.session import Session

        return Session(settings or self.settings, embedder=self.embedder())

    def embedder(self):
        if self._embedder is None:
            from scout.search import embed

            self._embedder = embed.load_embedder(self.settings.model, self.settings.shared_cache_dir)
        return self._embedder

    # -- search and papers ------------------------------------------------------------------------

    def search(self, progress: Progress, **arguments) -> types.CallToolResult:
        from dataclasses import replace

        from scout.search.pipeline import SearchRequest, run_search
        from scout.search.render import render, report_json

        successors = arguments.pop("successors")
        if arguments["sources"] is None:
            del arguments["sources"]  # SearchRequest's default: every source
        else:
            arguments["sources"] = tuple(arguments["sources"])
        offline = arguments.pop("offline") or self.settings.offline
        request = SearchRequest(**arguments, offline=offline)
        request = replace(request, query=request.query.strip())
        request.validate()
        settings = replace(self.settings, offline=offline)
        with self._search_lock, self.session(settings) as session:
            report = run_search(
                request,
                settings=settings,
                store=session.store,
                embedder=session.embedder,
                fetcher=session.source_fetcher,
                on_status=progress.step,
                on_embed=lambda done, total: progress.part(done, total, "embedding abstracts"),
            )
        payload = report_json(report, successors)
        self._last_search = (report.search_id, payload)
        return result(payload, render(report, "json", successors), notes=list(report.warnings))

    def show(self, paper_id: str) -> types.CallToolResult:
        from scout.search.render import shown_json

        paper_id = paper_id.strip()
        if not paper_id:
            raise ConfigError("the paper id is empty; use an id from the search results, e.g. arxiv:2104.12255")
        with self.session() as session:
            paper = session.store.get_paper(paper_id) if session.has_store() else None
        if paper is None:
            raise ConfigError(
                f"no paper {paper_id!r} in the store at {self.settings.cache_dir}; "
                "use an id from the search results, or search first"
            )
        return result(versioned(schema.SEARCH, shown_json(paper)))

    def sota(self, progress: Progress, *, offline: bool, **arguments) -> types.CallToolResult:
        from dataclasses import replace

        from scout.leaderboard.board import SotaRequest, make_leaderboard

        offline = offline or self.settings.offline
        request = SotaRequest(**arguments, offline=offline)
        request = replace(request, query=request.query.strip())
        request.validate()
        settings = replace(self.settings, offline=offline)
        progress.step("reading the leaderboard")
        with self._search_lock, self.session(settings) as session:
            board = make_leaderboard(
                request,
                settings=settings,
                store=session.store,
                embedder=session.embedder,
                fetcher=session.source_fetcher,
            )
        return result(versioned(schema.SOTA, board.to_json()), notes=list(board.warnings))

    def latest_search(self) -> dict:
        from scout.search.render import stored_search_json

        with self.session() as session:
            record = session.store.latest_search() if session.has_store() else None
            if record is None:
                raise ScoutError("no search has been run with this cache yet; call the search tool first")
            if self._last_search is not None and self._last_search[0] == record.id:
                return self._last_search[1]
            return stored_search_json(record, session.store.papers_by_ids(record.ranked_ids))

    # -- the ledger and baselines ---------------------------------------------------------------

    def ledger(self) -> tuple[dict, list[str]]:
        from scout.baseline.run import ledger_runs
        from scout.ledger import ledger_json, list_groups

        with self.session() as session:
            if not session.has_store():
                return ledger_json([]), []
            runs, waiting = ledger_runs(session)
            groups = list_groups(session.store)
        notes = [f"{waiting} SLURM job(s) still running; call runs again later"] if waiting else []
        return ledger_json(runs, groups), notes

    def runs(self) -> types.CallToolResult:
        payload, notes = self.ledger()
        return result(payload, notes=notes)

    def _baseline_request(
        self,
        *,
        repos: list[str],
        top: int,
        cmd: str | None,
        device: str,
        sets: list[str],
        pick: int | None = None,
        **options,
    ):
        """The BaselineRequest `scout baseline` would build; `options` are further Options fields."""
        from scout.baseline.discover.needs import parse_sets
        from scout.baseline.execute.evaluate import Options
        from scout.baseline.run import BaselineRequest
        from scout.config import parse_device

        parse_device(device)
        parse_sets(tuple(sets))
        return BaselineRequest(
            repos=tuple(repos),
            top=top,
            options=Options(
                cmd=cmd, pick=pick, sets=tuple(sets), default_timeout=self.settings.eval_timeout_s, **options
            ),
            device=device,
        )

    def plan_baseline(self, progress: Progress, **arguments) -> types.CallToolResult:
        from scout.baseline.discover.plan import plan_baseline, plans_json

        request = self._baseline_request(**arguments)
        progress.step("cloning or reusing the checkouts, reading them")
        with self.session() as session:
            plans = plan_baseline(request, session)
        notes = [f"{plan.repo}: cannot plan: {plan.error}" for plan in plans if plan.error]
        notes += [
            f"{plan.repo}: not sure which command is the evaluation (confidence {plan.confidence:.2f}); "
            "choose one of its candidates and call run_baseline with pick: N (1-based) or cmd"
            for plan in plans
            if plan.needs_choice and plan.confidence is not None
        ]
        return result(versioned(schema.PLAN, plans_json(plans)), notes=notes)

    def run_baseline(
        self, progress: Progress, *, confirm: bool, seeds: int | list[int] | None = None, **arguments
    ) -> types.CallToolResult:
        from dataclasses import replace

        from scout.baseline.measure.seeds import parse_seeds
        from scout.baseline.run import BaselineHooks, run_baseline
        from scout.ledger import ledger_json

        if not confirm:
            # Nothing is cloned or created before this point: the refusal leaves no trace.
            raise EvalError(
                "run_baseline runs code from these repositories on this machine, so it needs confirm: true; "
                "call plan_baseline first, read the commands it would run, then call run_baseline again "
                "with confirm: true"
            )
        request = self._baseline_request(**arguments)
        if seeds is not None:  # as `--seeds N` or `--seeds 0,1,7`
            text = str(seeds) if isinstance(seeds, int) else ",".join(map(str, seeds))
            request = replace(request, seeds=tuple(parse_seeds(text, request.options.seed)))
        hooks = BaselineHooks(
            # confirm: true was the approval; this hook only reports what is about to run.
            confirm=lambda jobs, blocked: progress.step(f"running {len(jobs)} evaluation(s)") or True,
            on_prepare_failed=lambda run: progress.step(f"{run.repo}: {run.message}"),
            on_line=lambda job, line: progress.note(f"{job.slug}: {line.strip()[:200]}"),
            on_done=lambda run: progress.step(f"{run.id} {run.repo}: {run.status}"),
        )
        progress.step("cloning and preparing the repositories")
        with self.session() as session:
            try:
                report = run_baseline(request, session, hooks)
            except Declined as exc:  # a plan that is not sure: say how to choose, in this tool's words
                raise Declined(str(exc).replace("--pick N", "pick: N").replace("--cmd COMMAND", "cmd")) from None
        payload = ledger_json(report.runs, list(report.groups))
        if report.any_ok:
            return result(payload)
        return result(
            payload,
            error=f"no run produced a metric; see each run's message and its log in {report.runs_dir}",
        )

    # -- scaffolding ----------------------------------------------------------------------------

    def new_experiment(
        self, name: str, source: str | None, template: str | None, directory: str | None, force: bool, confirm: bool
    ):
        from scout.scaffold.project import create_experiment

        if force and not confirm:
            raise ConfigError(
                "new_experiment with force: true replaces a folder (moved aside, not deleted), so it needs "
                "confirm: true; check that dir is the folder you mean, then call it again with confirm: true"
            )
        argv = ["scout", "new", name]
        for flag, value in (("--from", source), ("--template", template), ("--dir", directory)):
            if value is not None:
                argv += [flag, value]
        with self.session() as session:
            # Only a ledger that exists is read: a template or a path creates no cache.
            store = session.store if template is None and session.has_store() else None
            made = create_experiment(
                name,
                source=source,
                template=template,
                target=Path(directory) if directory else None,
                force=force,
                store=store,
                command=shlex.join(argv),
                store_dir=self.settings.cache_dir,
            )
        return result(made.to_json(), notes=list(made.notes))


def build_server(settings: Settings) -> MCPServer:
    tools = ScoutTools(settings)
    server = _Server(
        name="scout",
        title="scout: prior work, baselines, experiments",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )

    async def in_thread(work, *args, **kwargs):
        return await anyio.to_thread.run_sync(partial(work, *args, **kwargs))

    @server.tool(annotations=OPEN_WORLD)
    async def search(
        query: Annotated[
            str, Field(max_length=TEXT, description='What you plan to work on, e.g. "mask classification".')
        ],
        ctx: Context,
        about: Annotated[
            str | None,
            Field(max_length=LONG, description="A longer description of the project; ranks papers by it too."),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="How many papers to return.")] = 20,
        since: Annotated[int | None, Field(ge=1900, le=2100, description="Only papers from this year on.")] = None,
        code_only: Annotated[bool, Flag(description="Only papers with a code repository.")] = False,
        offline: Annotated[bool, Flag(description="Search only what is stored (and the imported archive).")] = False,
        sources: Annotated[
            list[SourceName] | None, Field(description="Ask only these sources (default: all three).")
        ] = None,
        successors: Annotated[
            bool, Flag(description="List each paper's successors (later work, from Papers with Code).")
        ] = False,
    ) -> types.CallToolResult:
        """Find, merge and rank prior work for a task from Papers with Code, arXiv and Hugging Face
        Papers. Returns the JSON of `scout search --json`: ranked papers with code links, stars,
        reported results and a close_prior_work flag."""
        progress = Progress(ctx)
        return await in_thread(
            tools.search,
            progress,
            query=query,
            about=about,
            limit=limit,
            since=since,
            code_only=code_only,
            offline=offline,
            sources=sources,
            successors=successors,
        )

    @server.tool(annotations=READS_STORE)
    async def show(
        paper_id: Annotated[
            str, Field(max_length=SHORT, description="A paper id from the search results, e.g. arxiv:2104.12255.")
        ],
    ) -> types.CallToolResult:
        """One stored paper in full: abstract, every repository, every reported result (the JSON of
        `scout show --json`)."""
        return await in_thread(tools.show, paper_id)

    @server.tool(annotations=READS_STORE)
    async def runs() -> types.CallToolResult:
        """The ledger of baseline evaluations (the JSON of `scout runs --json`): measured and paper
        metrics, the gap, and baseline_for naming the metrics on which a run is the one to beat."""
        return await in_thread(tools.runs)

    @server.tool(annotations=OPEN_WORLD)
    async def sota(
        query: Annotated[
            str, Field(max_length=TEXT, description='A task or dataset in any words, e.g. "image classification".')
        ],
        ctx: Context,
        dataset: Annotated[
            str | None, Field(max_length=TEXT, description="The dataset (benchmark) of the task.")
        ] = None,
        metric: Annotated[
            str | None, Field(max_length=SHORT, description="Rank by this metric (default: the leaderboard's own).")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="How many rows to return.")] = 10,
        offline: Annotated[bool, Flag(description="Use only the imported Papers with Code archive.")] = False,
    ) -> types.CallToolResult:
        """The leaderboard of a task on a dataset: the best methods, their numbers, papers and code,
        from paperswithcode.co or the imported archive (the JSON of `scout sota --json`). It says
        which task and dataset the query was read as, and the alternatives."""
        progress = Progress(ctx)
        return await in_thread(
            tools.sota, progress, query=query, dataset=dataset, metric=metric, limit=limit, offline=offline
        )

    @server.tool(annotations=OPEN_WORLD)
    async def plan_baseline(
        ctx: Context,
        repos: Repos = [],  # noqa: B006 - pydantic copies defaults; the schema shows []
        top: Top = 3,
        cmd: Cmd = None,
        device: Device = "auto",
        sets: Sets = [],  # noqa: B006
        pick: Pick = None,
    ) -> types.CallToolResult:
        """What run_baseline would run, running nothing (the JSON of `scout baseline --plan --json`):
        per repo the pinned commit, the chosen command and where it came from, its folder, the
        setup steps, every candidate (numbered from 1 for `pick`) with its probability of being the
        documented evaluation, its evidence and why it lost, and what the run still needs
        (datasets, checkpoints, placeholders, a GPU, credentials). `confidence` is the calibrated
        probability that the command is the documented evaluation; when `sure` is false,
        run_baseline refuses until you choose with `pick` or `cmd`. command null means the repo has
        no runnable evaluation. It clones or reuses the checkouts; it creates no venv and no run."""
        progress = Progress(ctx)
        return await in_thread(
            tools.plan_baseline, progress, repos=repos, top=top, cmd=cmd, device=device, sets=sets, pick=pick
        )

    @server.tool(annotations=RUN_CODE)
    async def run_baseline(
        ctx: Context,
        repos: Repos = [],  # noqa: B006 - pydantic copies defaults; the schema shows []
        top: Top = 3,
        cmd: Cmd = None,
        device: Device = "auto",
        sets: Sets = [],  # noqa: B006
        pick: Pick = None,
        timeout: Annotated[
            float, Field(gt=0, le=86_400, description="Seconds before a run's whole process group is killed.")
        ] = 600.0,
        env: Annotated[
            Literal["venv", "current"], Field(description="venv: one per repo; current: the server's interpreter.")
        ] = "venv",
        sandbox: Annotated[
            bool, Flag(description="Run under bubblewrap: no network, only the repo and run folders writable.")
        ] = False,
        seed: Annotated[int, Field(description="Passed to the run as SCOUT_SEED and PYTHONHASHSEED.")] = 0,
        seeds: Annotated[
            Annotated[int, Field(ge=1, le=MAX_SEEDS)]
            | Annotated[list[Annotated[int, Field(ge=0, lt=2**32)]], Field(min_length=1, max_length=MAX_SEEDS)]
            | None,
            Field(
                description="Run the evaluation once per seed and record the group's mean, std, 95% interval and "
                "verdict: a count N (seeds seed, seed+1, ...) or a list of seeds."
            ),
        ] = None,
        confirm: Annotated[
            bool, Flag(description="Must be true: this runs code from the repositories. Read plan_baseline first.")
        ] = False,
    ) -> types.CallToolResult:
        """Clone the repos at a pinned commit, set each up, run its evaluation within `timeout`
        seconds and record the measured numbers in the ledger (the JSON of `scout baseline --json`).
        This RUNS CODE FROM THE INTERNET on this machine: it refuses unless confirm is true. Call
        plan_baseline first and check the command, its setup steps and what it needs; where the plan
        is not sure (sure: false), pass pick (a candidate's 1-based number) or cmd."""
        progress = Progress(ctx)
        return await in_thread(
            tools.run_baseline,
            progress,
            confirm=confirm,
            repos=repos,
            top=top,
            cmd=cmd,
            device=device,
            timeout=timeout,
            env_mode=env,
            sandbox=sandbox,
            seed=seed,
            seeds=seeds,
            sets=sets,
            pick=pick,
        )

    @server.tool(annotations=WRITES_PROJECT)
    async def new_experiment(
        name: Annotated[
            str, Field(max_length=SHORT, description="The experiment's name; also its folder unless dir is given.")
        ],
        from_: Annotated[
            str | None,
            Field(
                validation_alias="from",
                max_length=TEXT,
                description="A run id from runs, a local git repository or a repo URL in the ledger "
                "(default: the best run in the ledger).",
            ),
        ] = None,
        template: Annotated[
            str | None, Field(max_length=SHORT, description="Start from a template instead (classification).")
        ] = None,
        dir: Annotated[  # noqa: A002 - the CLI's --dir
            str | None,
            Field(
                max_length=TEXT, description="Where to create it (default: ./NAME in the server's working directory)."
            ),
        ] = None,
        force: Annotated[
            bool,
            Flag(description="Replace a target folder that is not empty (moved aside, never deleted); needs confirm."),
        ] = False,
        confirm: Annotated[bool, Flag(description="Must be true with force: true.")] = False,
    ) -> types.CallToolResult:
        """Scaffold the next experiment from the winning baseline (or a template) into a fresh git
        repository with an experiment log, seeds and sanity checks (the JSON of `scout new --json`)."""
        return await in_thread(tools.new_experiment, name, from_, template, dir, force, confirm)

    @server.resource("scout://search/latest", name="latest-search", mime_type="application/json")
    def latest_search() -> str:
        """The latest search in this cache, as `scout search --json` (the scores are null when another
        process ran it)."""
        try:
            return json.dumps(tools.latest_search(), indent=2, ensure_ascii=False)
        except ScoutError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource("scout://runs", name="ledger", mime_type="application/json")
    def ledger() -> str:
        """The ledger of baseline runs, as `scout runs --json`."""
        try:
            return json.dumps(tools.ledger()[0], indent=2, ensure_ascii=False)
        except ScoutError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource("scout://skill", name="skill", mime_type="text/markdown")
    def skill() -> str:
        """SKILL.md: when to use each tool and what to check."""
        return skill_text()

    return server


def serve(settings: Settings) -> None:
    """Serve over stdio until the client closes the connection."""
    server = build_server(settings)
    # The SDK logs to stderr through the root logger; libraries that set their own loggers to DEBUG
    # (bm25s does) would otherwise fill the client's server log on every search.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)
    server.run("stdio")
