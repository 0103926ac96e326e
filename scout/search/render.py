"""Turn a SearchReport into the output formats other tools read: JSON (the DESIGN.md contract),
JSON Lines, CSV, Markdown, BibTeX, and a Rich table for people."""

from __future__ import annotations

import json
import re

from rich import box
from rich.table import Table
from rich.text import Text

from scout import schema
from scout.models import Paper, RankedPaper, Repo, Result
from scout.search.pipeline import SearchReport
from scout.store import SearchRecord
from scout.tabular import delimited, repo_lines
from scout.text import plain_text, visible

FORMATS = ("table", "tsv", "json", "jsonl", "csv", "markdown", "bibtex")


def paper_json(paper: Paper) -> dict:
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "published": paper.published,
        "year": paper.year,
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "url": paper.url or (f"https://arxiv.org/abs/{paper.arxiv_id}" if paper.arxiv_id else None),
        "sources": list(paper.sources),
        "repos": [repo.to_json() for repo in best_repos(paper.repos)],
        "results": [result.to_json() for result in paper.results],
        "citations": paper.citations,
    }


def shown_json(paper: Paper) -> dict:
    """`scout show --json`: the paper in full, with its places on leaderboards and the later work
    that builds on it."""
    return {
        **paper_json(paper),
        "tldr": paper.tldr,
        "tasks": list(paper.tasks),
        "leaderboard_ranks": [r.to_json() for r in paper.ranks],
        "successors": [s.to_json() for s in paper.successors],
    }


def ranked_json(ranked: RankedPaper, successors: bool = False) -> dict:
    body = paper_json(ranked.paper)
    head = {
        "rank": ranked.rank,
        "id": body.pop("id"),
        "score": round(ranked.score, 4),
        "similarity": round(ranked.similarity, 4),
    }
    extra = {
        "lexical": _rounded(ranked.parts.get("lexical")),
        "strength": _rounded(ranked.parts.get("strength")),
        "rerank": _rounded(ranked.parts.get("rerank")),
        "close_prior_work": ranked.close,
        # A paper no source gave an abstract for was ranked on its title alone: say so.
        "ranked_on": "title+abstract" if ranked.paper.abstract else "title",
    }
    if successors:
        extra["successors"] = [s.to_json() for s in ranked.paper.successors]
    return {**head, **body, **extra}


def report_json(report: SearchReport, successors: bool = False) -> dict:
    return {
        "schema": schema.SEARCH,
        "query": report.request.query,
        "about": report.request.about,
        "model": report.model,
        "searched_at": report.searched_at,
        "sources": {name: st.to_json() for name, st in report.sources.items()},
        "warnings": list(report.warnings),
        "results": [ranked_json(r, successors) for r in report.results],
    }


def stored_search_json(record: SearchRecord, papers: list[Paper]) -> dict:
    """A search as the store keeps it (the papers in their ranked order), in the shape of
    report_json. The scores and source statuses of that moment are not stored: they are null and {}."""
    unknown = dict.fromkeys(("score", "similarity", "lexical", "strength", "rerank", "close_prior_work"))
    results = [
        {**ranked_json(RankedPaper(paper, rank, 0.0, 0.0)), **unknown} for rank, paper in enumerate(papers, start=1)
    ]
    return {
        "schema": schema.SEARCH,
        "query": record.query,
        "about": record.about,
        "model": record.model,
        "searched_at": record.searched_at,
        "sources": {},
        "warnings": [],
        "results": results,
    }


def render(report: SearchReport, fmt: str, successors: bool = False) -> str:
    """Every format but `table`, as text ending in a newline. `successors` adds each paper's
    successors (Papers with Code) to the JSON formats."""
    if fmt == "json":
        return json.dumps(report_json(report, successors), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(ranked_json(r, successors), ensure_ascii=False) + "\n" for r in report.results)
    if fmt in ("csv", "tsv"):
        return delimited(CSV_HEADER, _rows(report), fmt)
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "bibtex":
        return bibtex([r.paper for r in report.results])
    raise ValueError(f"unknown format {fmt!r}")


def best_repos(repos: tuple[Repo, ...]) -> list[Repo]:
    """Official repos first, then by stars: the order a researcher would try them in."""
    return sorted(repos, key=lambda r: (not r.official, -(r.stars or 0), r.url))


def best_result(results: tuple[Result, ...]) -> Result | None:
    return next((r for r in results if r.value is not None), None)


def repo_label(repo: Repo) -> str:
    name = re.sub(r"^https?://(www\.)?github\.com/", "", repo.url).rstrip("/")
    stars = f" ★{repo.stars:,}" if repo.stars is not None else ""
    return f"{name}{stars}"


def result_label(result: Result | None) -> str:
    if result is None:
        return ""
    value = result.raw or (f"{result.value:g}" if result.value is not None else "?")
    where = f" on {result.dataset}" if result.dataset else ""
    return f"{result.metric} {value}{where}"


WIDE = 100  # a terminal at least this wide also gets the sources column
SCORE_LEGEND = (
    "score, 0 to 1: relevance to the task (embeddings and BM25, scaled within this search) plus 0.1 x "
    "strength as a baseline (code, stars, push, results, citations), over the most it can reach"
)


def table(report: SearchReport, width: int = WIDE) -> Table:
    """The results for a terminal `width` columns wide. The repo (owner/name, then ★ and the count
    of other repos) never breaks; titles and results wrap between words."""
    title = f"{report.request.query!r}: {len(report.results)} papers" + (" (local store)" if report.from_store else "")
    wide = width >= WIDE
    out = Table(
        title=plain_text(title),
        caption=Text(SCORE_LEGEND),
        caption_justify="left",
        expand=True,
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
    )
    out.add_column("#", justify="right", no_wrap=True)
    out.add_column("score", justify="right", no_wrap=True)
    out.add_column("title", ratio=4, min_width=20, overflow="fold")
    out.add_column("year", no_wrap=True)
    out.add_column("code", no_wrap=True)
    out.add_column("best result", ratio=2, min_width=12, overflow="fold")
    if wide:
        out.add_column("sources", no_wrap=True)
    for r in report.results:
        paper = r.paper
        title_text = plain_text(paper.title)
        if r.close:
            title_text.append("  close prior work", style="bold red")
        if not paper.abstract:
            title_text.append("  (ranked on its title alone)", style="dim")
        # Text cells, controls visible: titles and task names are data, never Rich markup ("[bold]" is in dumps).
        out.add_row(
            str(r.rank),
            f"{r.score:.2f}",
            title_text,
            str(paper.year or ""),
            Text(_code_cell(paper.repos)),
            plain_text(result_label(best_result(paper.results))),
            *((",".join(paper.sources),) if wide else ()),
        )
    return out


def _code_cell(repos: tuple[Repo, ...]) -> str:
    """The best repo's owner/name, then ★stars and +N more on a line of their own."""
    ranked = best_repos(repos)
    if not ranked:
        return ""
    top = ranked[0]
    more = [f"★{top.stars:,}"] if top.stars is not None else []
    if len(ranked) > 1:
        more.append(f"+{len(ranked) - 1}")
    name = repo_lines(visible(top.url))  # controls visible; the line break between the parts is ours
    return f"{name}\n{' '.join(more)}" if more else name


CSV_HEADER = (
    "rank",
    "id",
    "score",
    "similarity",
    "close_prior_work",
    "title",
    "year",
    "arxiv_id",
    "doi",
    "url",
    "sources",
    "top_repo",
    "top_repo_stars",
    "best_result",
)


def _rows(report: SearchReport) -> list[list]:
    """One row per paper under CSV_HEADER, for --format csv and tsv."""
    rows = []
    for r in report.results:
        body = ranked_json(r)
        repos = best_repos(r.paper.repos)
        rows.append(
            [
                r.rank,
                body["id"],
                body["score"],
                body["similarity"],
                r.close,
                r.paper.title,
                r.paper.year,
                r.paper.arxiv_id,
                r.paper.doi,
                body["url"],
                list(r.paper.sources),
                repos[0].url if repos else None,
                repos[0].stars if repos else None,
                result_label(best_result(r.paper.results)),
            ]
        )
    return rows


def _markdown(report: SearchReport) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        f"## scout search: {cell(report.request.query)}",
        "",
        "| # | score | title | year | code | best reported result | sources |",
        "|---:|---:|---|---|---|---|---|",
    ]
    for r in report.results:
        url = paper_json(r.paper)["url"]
        title = f"[{cell(r.paper.title)}]({url})" if url else cell(r.paper.title)
        if r.close:
            title += " **(close prior work)**"
        code = ", ".join(f"[{cell(repo_label(repo))}]({repo.url})" for repo in best_repos(r.paper.repos)[:3])
        lines.append(
            f"| {r.rank} | {r.score:.2f} | {title} | {r.paper.year or ''} | {code} | "
            f"{cell(result_label(best_result(r.paper.results)))} | {', '.join(r.paper.sources)} |"
        )
    return "\n".join(lines) + "\n"


def bibtex(papers: list[Paper]) -> str:
    """The papers as BibTeX, written by bibtexparser. Two papers whose keys would collide (same first
    author surname, year and first long title word) get the suffixes a, b, c... in rank order, as
    reference managers do, so a .bib file built from them has no duplicate key."""
    import bibtexparser
    from bibtexparser import model

    library = bibtexparser.Library()
    keys = [bibtex_key(paper) for paper in papers]
    repeated = {key for key in keys if keys.count(key) > 1}
    seen: dict[str, int] = {}
    for paper, key in zip(papers, keys):
        if key in repeated:
            seen[key] = seen.get(key, 0) + 1
            key += _suffix(seen[key])
        kind, fields = _bibtex_fields(paper)
        library.add(model.Entry(kind, key, [model.Field(name, value) for name, value in fields.items()]))
    return bibtexparser.write_string(library) if papers else ""


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa: as many papers as collide."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def bibtex_key(paper: Paper) -> str:
    surname = re.sub(r"[^a-z]", "", (paper.authors[0].split()[-1] if paper.authors else "anon").lower())
    first_word = next((w for w in re.findall(r"[a-z]+", paper.title.lower()) if len(w) > 3), "paper")
    return f"{surname or 'anon'}{paper.year or ''}{first_word}"


def _bibtex_fields(paper: Paper) -> tuple[str, dict[str, str]]:
    """The entry type and fields; bibtexparser adds the outer braces, the title keeps an inner pair
    so BibTeX styles do not lower-case its acronyms."""
    fields = {"title": "{" + _bib_escape(paper.title) + "}", "author": _bib_escape(" and ".join(paper.authors))}
    if paper.year:
        fields["year"] = str(paper.year)
    if paper.arxiv_id:
        fields.update(eprint=paper.arxiv_id, archivePrefix="arXiv")
    if paper.doi:
        fields["doi"] = paper.doi
    url = paper_json(paper)["url"]
    if url:
        fields["url"] = url
    return ("article" if paper.doi else "misc"), {name: value for name, value in fields.items() if value}


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
