"""scout: find prior work, measure the baseline to beat, scaffold the next experiment.

The library API, one entry point per stage (for notebooks and bench/):

    from scout import Session, load_settings, SearchRequest, run_search
    with Session(load_settings({})) as session:
        report = run_search(SearchRequest("mask classification"), settings=session.settings,
                            store=session.store, embedder=session.embedder, fetcher=session.fetcher)

Names load on first use, so `import scout` (and `scout --help`) stays instant."""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "load_settings": "scout.config",
    "Settings": "scout.config",
    "Session": "scout.session",
    "Store": "scout.store",
    "SearchRequest": "scout.search.pipeline",
    "SearchReport": "scout.search.pipeline",
    "run_search": "scout.search.pipeline",
    "import_dump": "scout.archive.importer",
    "embed_store": "scout.archive.embedding",
    "build_store_index": "scout.archive.embedding",
    "list_runs": "scout.ledger",
    "BaselineRequest": "scout.baseline.run",
    "BaselineHooks": "scout.baseline.run",
    "BaselineReport": "scout.baseline.run",
    "run_baseline": "scout.baseline.run",
    "create_experiment": "scout.scaffold.project",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'scout' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value
