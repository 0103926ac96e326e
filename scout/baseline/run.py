"""`scout baseline` as a library call: prepare each repo, ask once, run them (one per device slot
at a time, in parallel across GPUs) and record every outcome in the ledger."""

from __future__ import annotations

import queue
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace

from scout.baseline.clone import Target
from scout.baseline.devices import Slot
from scout.baseline.evaluate import Job, Layout, Options, execute, prepare, recipe_to_keep
from scout.baseline.recipes import save_recipe
from scout.errors import Interrupted
from scout.ledger import record_run, with_paper_metrics
from scout.models import Run


def finish(store, layout: Layout, job: Job, run: Run) -> Run:
    """Record a finished run (with the paper's numbers) and keep its recipe when it worked."""
    run = record_run(store, layout.runs, with_paper_metrics(store, run))
    recipe = recipe_to_keep(job, run)
    if recipe is not None:
        save_recipe(layout.recipes, job.slug, recipe)
    return run


def prepare_all(store, layout: Layout, targets: list[Target], options: Options) -> tuple[list[Job], list[Run]]:
    """Jobs ready to run, and the failed runs (clone errors, no command found) already recorded."""
    ready, failed = [], []
    for target in targets:
        job = prepare(target, layout, options)
        if job.error:
            failed.append(finish(store, layout, job, execute(job)))
        else:
            ready.append(job)
    return ready, failed


def discard(jobs: list[Job]) -> None:
    """Forget jobs the user declined."""
    for job in jobs:
        shutil.rmtree(job.run_dir, ignore_errors=True)


def run_local(
    store,
    layout: Layout,
    jobs: list[Job],
    slots: list[Slot],
    on_line: Callable[[Job, str], None] | None = None,
    on_done: Callable[[Run], None] | None = None,
) -> list[Run]:
    """Run the jobs, at most one per slot at a time, and record each as it finishes. On Ctrl-C every
    running process group is stopped, the interrupted runs are recorded, and Interrupted is raised."""
    free: queue.Queue[Slot] = queue.Queue()
    for slot in slots:
        free.put(slot)
    cancel = threading.Event()

    def work(job: Job) -> Run:
        if cancel.is_set():
            return execute(replace(job, error="interrupted (Ctrl-C) before it started"))
        slot = free.get()
        try:
            return execute(job, slot, on_line=(lambda line: on_line(job, line)) if on_line else None, cancel=cancel)
        finally:
            free.put(slot)

    runs: list[Run] = []
    jobs_by_id = {job.run_id: job for job in jobs}
    with ThreadPoolExecutor(max_workers=len(slots), thread_name_prefix="scout-run") as pool:
        futures = [pool.submit(work, job) for job in jobs]
        try:
            for future in as_completed(futures):
                runs.append(_done(store, layout, jobs_by_id, future.result(), on_done))
        except KeyboardInterrupt:
            cancel.set()
            for future in futures:
                run = future.result()  # each stops within a poll interval once cancel is set
                if run.id not in {r.id for r in runs}:
                    runs.append(_done(store, layout, jobs_by_id, run, on_done))
            raise Interrupted(runs) from None
    return runs


def _done(store, layout: Layout, jobs_by_id: dict[str, Job], run: Run, on_done) -> Run:
    run = finish(store, layout, jobs_by_id[run.id], run)
    if on_done:
        on_done(run)
    return run
