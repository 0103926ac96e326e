"""From a checkout to a plan, in one pass: docs and scripts -> candidates -> features -> fitted
ranker -> needs -> plan. Nothing here runs the repo's code."""
