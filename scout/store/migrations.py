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
    # 2: the ledger of baseline evaluations, and SLURM jobs whose results are not collected yet
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        repo TEXT NOT NULL,
        commit_sha TEXT,
        command TEXT,
        recipe_source TEXT,
        device TEXT,
        gpu TEXT,
        status TEXT NOT NULL,
        exit_code INTEGER,
        seconds REAL,
        seed INTEGER,
        metrics TEXT NOT NULL DEFAULT '{}',
        metrics_raw TEXT NOT NULL DEFAULT '{}',
        paper_metrics TEXT NOT NULL DEFAULT '{}',
        env TEXT NOT NULL DEFAULT '{}',
        log TEXT,
        message TEXT,
        clone_path TEXT
    );
    CREATE INDEX runs_repo ON runs(repo);
    CREATE TABLE pending_jobs (
        run_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        executor TEXT NOT NULL,
        folder TEXT NOT NULL,
        run_dir TEXT NOT NULL,
        submitted_at TEXT NOT NULL
    );
    """,
    # 3: the offline Papers with Code archive: import checkpoints, links and leaderboard rows staged
    # until their paper is known, the unit of a result, and full-text search over titles and abstracts
    """
    CREATE TABLE index_files (
        file_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        records_done INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        started_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE TABLE index_links (
        paper_ref TEXT NOT NULL,
        arxiv_id TEXT,
        slug TEXT,
        title TEXT,
        repo_url TEXT NOT NULL,
        official INTEGER,
        framework TEXT,
        paper_id TEXT,
        applied INTEGER NOT NULL DEFAULT 0,
        UNIQUE (paper_ref, repo_url)
    );
    CREATE INDEX index_links_pending ON index_links(paper_id) WHERE paper_id IS NULL;
    CREATE TABLE index_results (
        paper_ref TEXT NOT NULL,
        arxiv_id TEXT,
        slug TEXT,
        title TEXT,
        task TEXT NOT NULL,
        dataset TEXT NOT NULL,
        metric TEXT NOT NULL,
        model TEXT NOT NULL,
        value REAL,
        unit TEXT,
        raw TEXT,
        paper_id TEXT,
        applied INTEGER NOT NULL DEFAULT 0,
        UNIQUE (paper_ref, task, dataset, metric, model)
    );
    CREATE INDEX index_results_pending ON index_results(paper_id) WHERE paper_id IS NULL;
    ALTER TABLE results ADD COLUMN unit TEXT;
    CREATE INDEX papers_pwc ON papers(pwc_id);
    CREATE INDEX papers_title ON papers(title COLLATE NOCASE);
    CREATE INDEX papers_updated ON papers(updated_at);
    CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, content='papers', content_rowid='rowid',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts (rowid, title, abstract) VALUES (new.rowid, new.title, new.abstract);
    END;
    CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts (papers_fts, rowid, title, abstract)
        VALUES ('delete', old.rowid, old.title, old.abstract);
    END;
    CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, abstract ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
        INSERT INTO papers_fts (papers_fts, rowid, title, abstract)
        VALUES ('delete', old.rowid, old.title, old.abstract);
        INSERT INTO papers_fts (rowid, title, abstract) VALUES (new.rowid, new.title, new.abstract);
    END;
    INSERT INTO papers_fts (papers_fts) VALUES ('rebuild');
    """,
    # 4: leaderboards (`scout sota`): what the archive's rows say beyond the metric (extra training
    # data, the paper's date, its code links, the metric's place in its table), the successors, tldr,
    # tasks and leaderboard ranks Papers with Code records for a paper, and the latest leaderboard
    # (for `baseline --from-sota`)
    """
    ALTER TABLE index_results ADD COLUMN extra_data INTEGER;
    ALTER TABLE index_results ADD COLUMN paper_date TEXT;
    ALTER TABLE index_results ADD COLUMN code_urls TEXT;
    ALTER TABLE index_results ADD COLUMN metric_order INTEGER;
    CREATE INDEX index_results_board ON index_results(task, dataset);
    CREATE TABLE paper_successors (
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        arxiv_id TEXT,
        pwc_id TEXT,
        PRIMARY KEY (paper_id, position)
    );
    CREATE TABLE paper_extras (
        paper_id TEXT PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,
        tldr TEXT,
        tasks TEXT NOT NULL DEFAULT '[]',
        ranks TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE leaderboards (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        query TEXT NOT NULL,
        made_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
    # 5: watches (`scout watch`): a saved task, each source's mark (everything up to it has been
    # fetched), and every paper a watch has already considered, with whether it was reported
    """
    CREATE TABLE watches (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        about TEXT,
        sources TEXT NOT NULL,
        threshold REAL NOT NULL,
        created_at TEXT NOT NULL,
        last_run_at TEXT
    );
    CREATE TABLE watch_marks (
        watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
        source TEXT NOT NULL,
        mark TEXT NOT NULL,
        PRIMARY KEY (watch, source)
    );
    CREATE TABLE watch_papers (
        watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
        paper_id TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        reported INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (watch, paper_id)
    );
    """,
    # 6: what a stored search showed beside each paper (score, similarity, the close-prior-work flag)
    # and how each source answered, so `scout report` can show a past search as it was
    """
    ALTER TABLE searches ADD COLUMN scores TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE searches ADD COLUMN source_status TEXT NOT NULL DEFAULT '{}';
    """,
    # 7: the number to cite (baseline/measure): each run's headline, the claim it answers, the verdict,
    # its seed group and flags; and the groups of `--seeds N` with their aggregates
    """
    ALTER TABLE runs ADD COLUMN headline TEXT;
    ALTER TABLE runs ADD COLUMN claim TEXT;
    ALTER TABLE runs ADD COLUMN claims TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE runs ADD COLUMN verdict TEXT;
    ALTER TABLE runs ADD COLUMN verdict_reason TEXT;
    ALTER TABLE runs ADD COLUMN group_id TEXT;
    ALTER TABLE runs ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE runs ADD COLUMN lines TEXT NOT NULL DEFAULT '{}';
    CREATE INDEX runs_group ON runs(group_id);
    CREATE TABLE run_groups (
        id TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        created_at TEXT NOT NULL,
        body TEXT NOT NULL
    );
    """,
]
