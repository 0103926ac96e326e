"""The version of every JSON document scout prints. DESIGN.md §3: a document's `"schema": N`
grows when one of its fields changes meaning or disappears; a new field does not bump it. The
numbers live here, one per document, so a bump is one line (and the README's table says why)."""

from __future__ import annotations

SEARCH = 2  # `search --json`, `show --json`; 2: score scaled into [0, 1] (it reached 1.1, 2.1 re-ranked)
SOTA = 1  # `sota --json`
LEDGER = 2  # `baseline --json`, `runs --json`; 2: runs grouped by seed ("groups")
PLAN = 1  # `baseline --plan --json`
EXPORT = 1  # `runs --export json` (the file) and `runs --export ... --json` (what was written)
REMOVED = 1  # `runs rm --json`
INDEX = 1  # `index info --json`
CACHE = 1  # `cache info --json`
WATCH = 1  # `watch list --json`, `watch run --json`
NEW = 1  # `new --json`


def versioned(version: int, document: dict) -> dict:
    """`document` with `"schema": version` as its first key."""
    return {"schema": version, **{k: v for k, v in document.items() if k != "schema"}}
