"""`scout watch`: saved task descriptions that are checked against what the sources published
since the last run, with the same ranking and enrichment as `scout search`.

models (pure: the Watch record, input checks, time windows) < book (the store's watch tables) <
fetch (the sources' "recent" listings) < run (one run: fetch, rank, pick, enrich, record) < render."""
