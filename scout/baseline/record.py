"""Put a finished evaluation in the ledger, with the numbers its paper reports, and keep its
recipe when it worked, so the next run repeats it exactly."""

from __future__ import annotations

from scout.baseline.discover.recipes import save_recipe
from scout.baseline.execute.evaluate import Job, recipe_to_keep
from scout.baseline.execute.layout import Layout
from scout.ledger import record_run, with_paper_metrics
from scout.models import Run


def finish(store, layout: Layout, job: Job, run: Run) -> Run:
    """Record a finished run (with the paper's numbers) and keep its recipe when it worked."""
    run = record_run(store, layout.runs, with_paper_metrics(store, run))
    recipe = recipe_to_keep(job, run)
    if recipe is not None:
        save_recipe(layout.recipes, job.slug, recipe)
    return run
