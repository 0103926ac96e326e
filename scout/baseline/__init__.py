"""Stages clone -> evaluate: pick repos, clone them at a pinned commit, find the evaluation,
set up its environment, run it safely and read its numbers, then record them in the ledger.
Entry point: `run.run_baseline`."""
