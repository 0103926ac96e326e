"""Numbered schema migrations, applied in order on open; PRAGMA user_version records the last one.
Never edit a released migration: append a new one."""

MIGRATIONS: list[str] = [
    # 1: papers, their repos and results, embeddings, searches and the HTTP cache
    """
    CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        arxiv_id TEXT,
        doi TEXT,
        pwc_id TEXT,
        title TEXT NOT NULL,
        abstract TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        published TEXT,
        year INTEGER,
        url TEXT,
        sources TEXT NOT NULL DEFAULT '[]',
        citations INTEGER,
        updated_at REAL NOT NULL
    );
    CREATE INDEX papers_arxiv ON papers(arxiv_id);
    CREATE INDEX papers_doi ON papers(doi);
    CREATE TABLE repos (
        url TEXT PRIMARY KEY,
        stars INTEGER,
        archived INTEGER,
        pushed_at TEXT,
        framework TEXT,
        updated_at REAL NOT NULL
    );
    CREATE TABLE paper_repos (
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        repo_url TEXT NOT NULL REFERENCES repos(url),
        official INTEGER,
        PRIMARY KEY (paper_id, repo_url)
    );
    CREATE INDEX paper_repos_url ON paper_repos(repo_url);
    CREATE TABLE results (
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        task TEXT,
        dataset TEXT,
        metric TEXT NOT NULL,
        value REAL,
        raw TEXT,
        model TEXT
    );
    CREATE INDEX results_paper ON results(paper_id);
    CREATE TABLE embeddings (
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, text_hash)
    );
    CREATE TABLE searches (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        query TEXT NOT NULL,
        about TEXT,
        model TEXT NOT NULL,
        searched_at TEXT NOT NULL,
        ranked_ids TEXT NOT NULL
    );
    CREATE TABLE http_cache (
        key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        status INTEGER NOT NULL,
        content_type TEXT,
        body BLOB NOT NULL,
        fetched_at REAL NOT NULL
    );
    """,
]
