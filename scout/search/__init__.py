"""Stage 1-4 of the flow: ask the sources, merge their answers, rank them against the task, and
store them; also offline search over everything stored. Entry point: `pipeline.run_search`."""
