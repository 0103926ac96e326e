"""Put a finished evaluation in the ledger, with the numbers its paper reports, and keep its
recipe when it worked, so the next run repeats it exactly."""

from __future__ import annotations

from dataclasses import replace

from scout.baseline.discover.recipes import save_recipe
from scout.baseline.execute.evaluate import Job, recipe_to_keep
from scout.baseline.execute.layout import Layout
from scout.ledger import flagged_metrics, record_run, with_paper_metrics
from scout.models import Run


def finish(store, layout: Layout, job: Job, run: Run) -> Run:
    """Record a finished run (with the paper's numbers, the claim and the verdict) and keep its recipe
    when it worked."""
    run = with_verdict(with_claims(store, job, with_paper_metrics(store, run)))
    run = record_run(store, layout.runs, run)
    recipe = recipe_to_keep(job, run)
    if recipe is not None:
        save_recipe(layout.recipes, job.slug, recipe)
    return run


def with_claims(store, job: Job, run: Run) -> Run:
    """A run that could not read its claim from the output's side (it failed before, or the README
    claims nothing) gets the README's claims, else the paper's on Papers with Code, so its verdict can
    say what was not attempted."""
    from scout.baseline.measure.assess import assess
    from scout.baseline.measure.claims import paper_claims, readme_claims
    from scout.baseline.measure.logmetrics import Metric, Reading
    from scout.models import normalize_repo_url

    if run.claim is not None:
        return run
    claims = []
    if run.status not in ("ok", "timeout") and job.checkout is not None:
        from scout.baseline.discover.docs import find_docs

        claims = readme_claims(find_docs(job.checkout.path))
    if not claims:
        rows = store.query(
            """SELECT r.metric, r.value, r.raw, r.dataset, r.task FROM results r
               JOIN paper_repos pr ON pr.paper_id = r.paper_id
               WHERE repo_key(pr.repo_url) = ? AND r.value IS NOT NULL""",
            (normalize_repo_url(run.repo),),
        )
        claims = paper_claims([dict(row) for row in rows])
    if not claims:
        return run
    flagged = flagged_metrics(run.flags)  # a conflicting number is no headline against the paper either
    reading = Reading(
        {
            name: Metric(value, run.metrics_raw.get(name, str(value)), None, run.lines.get(name))
            for name, value in run.metrics.items()
            if name not in flagged
        }
    )
    found = assess(reading, claims, run.command)
    headline = run.headline if run.headline and run.headline.get("matches_claim") else found.headline
    if found.headline is None and run.status in ("ok", "timeout"):
        headline = None  # the paper claims another metric: the guess is not the number to cite
    return replace(
        run, headline=headline, claim=found.claim, claims=found.claims, verdict_reason=found.note or run.verdict_reason
    )


def with_verdict(run: Run) -> Run:
    from scout.baseline.measure.assess import verdict

    result = verdict([run])
    return replace(run, verdict=result["verdict"], verdict_reason=result["reason"] or run.verdict_reason)


def seed_jobs(store, layout: Layout, jobs: list[Job], seeds: list[int]) -> list[Job]:
    """`--seeds N`: each prepared job once per seed, all in one group (g-YYYYMMDD-NNNN). The first
    seed reuses the job's own run; the others get runs of their own."""
    from scout.clock import now_iso
    from scout.ledger import allocate_group_id, allocate_run_dir

    if len(seeds) < 2:
        return [replace(job, options=replace(job.options, seed=seeds[0])) for job in jobs] if seeds else jobs
    expanded = []
    for job in jobs:
        group = allocate_group_id(store, job.target.url)
        for i, seed in enumerate(seeds):
            options = replace(job.options, seed=seed, group=group)
            if i == 0:
                expanded.append(replace(job, options=options))
                continue
            run_id, run_dir = allocate_run_dir(layout.runs)
            expanded.append(replace(job, run_id=run_id, run_dir=run_dir, started_at=now_iso(), options=options))
    return expanded


def finish_groups(store, runs: list[Run]) -> list[dict]:
    """The aggregate and verdict of every seed group among these runs, once all its runs are in the
    ledger; recorded in the store (run_groups) and returned."""
    from scout.baseline.measure.assess import verdict
    from scout.baseline.measure.seeds import aggregate
    from scout.clock import now_iso
    from scout.ledger import list_runs, record_group

    wanted = {run.group for run in runs if run.group}
    if not wanted:
        return []
    everything = [run for run in list_runs(store) if run.group in wanted]
    groups = []
    for group_id in sorted(wanted):
        members = sorted((run for run in everything if run.group == group_id), key=lambda run: (run.seed, run.id))
        done = [run for run in members if not (run.message or "").startswith("did not finish")]
        names = list(dict.fromkeys(name for run in done if run.status in ("ok", "timeout") for name in run.metrics))
        stats = {
            name: aggregate(
                [run.metrics[name] for run in done if run.status in ("ok", "timeout") and name in run.metrics]
            )
            for name in names
        }
        result = verdict(done)
        headline = next((run.headline["name"] for run in done if run.headline), None)
        deterministic = bool(headline and stats.get(headline, {}).get("deterministic"))
        note = None
        if deterministic:
            note = (
                f"deterministic: every seed printed the same {headline}; "
                "the evaluation does not depend on the seed scout passes (a released checkpoint, "
                "or a seed fixed in the code), so there is no seed spread to report"
            )
        group = {
            "id": group_id,
            "repo": members[0].repo if members else "",
            "created_at": members[0].started_at if members else now_iso(),
            "runs": [run.id for run in members],
            "seeds": [run.seed for run in members],
            "statuses": [run.status for run in members],
            "headline": headline,
            "aggregate": stats,
            "deterministic": deterministic,
            "note": note,
            "claim": next((run.claim for run in members if run.claim), None),
            "verdict": result["verdict"],
            "verdict_reason": result["reason"],
            "tolerance": result["tolerance"],
        }
        record_group(store, group)
        groups.append(group)
    return groups
