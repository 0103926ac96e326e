"""`scout mcp` with the tests' fake embedder, for starting as a subprocess:

    python -m tests.mcp_server [scout mcp flags]

A subprocess cannot be monkeypatched from the test, so this module swaps in the bag-of-words
embedder (as cli_env does in process) and then runs the real CLI entry point."""

from __future__ import annotations

import sys

from scout.search import embed
from tests.conftest import BagOfWordsEmbedder

_EMBEDDER = BagOfWordsEmbedder()
embed.load_embedder = lambda model, cache_dir, **kw: _EMBEDDER

if __name__ == "__main__":
    from scout.cli import main

    sys.argv = ["scout", "mcp", *sys.argv[1:]]
    main()
