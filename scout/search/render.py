"""Turn a SearchReport into the output formats other tools read: JSON (the DESIGN.md contract),
JSON Lines, CSV, Markdown, BibTeX, and a Rich table for people."""

from __future__ import annotations

import csv
import io
import json
import re

from rich.table import Table
from rich.text import Text

from scout import schema
from scout.models import Paper, RankedPaper, Repo, Result
from scout.search.pipeline import SearchReport
from scout.store import SearchRecord

FORMATS = ("table", "json", "jsonl", "csv", "markdown", "bibtex")


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
    if fmt == "csv":
        return _csv(report)
    if fmt == "markdown":
        return _markdown(report)
    if fmt == "bibtex":
        return "\n".join(bibtex_entry(r.paper) for r in report.results)
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


def table(report: SearchReport) -> Table:
    title = f"{report.request.query!r}: {len(report.results)} papers" + (" (local store)" if report.from_store else "")
    out = Table(title=Text(title), show_lines=False, expand=True)
    out.add_column("#", justify="right", no_wrap=True)
    out.add_column("score", justify="right", no_wrap=True)
    out.add_column("title", ratio=4)
    out.add_column("year", no_wrap=True)
    out.add_column("code", ratio=2)
    out.add_column("best reported result", ratio=2)
    out.add_column("sources", no_wrap=True)
    for r in report.results:
        paper = r.paper
        title_text = Text(paper.title)
        if r.close:
            title_text.append("  close prior work", style="bold red")
        if not paper.abstract:
            title_text.append("  (ranked on its title alone)", style="dim")
        repos = best_repos(paper.repos)
        code = repo_label(repos[0]) + (f" +{len(repos) - 1}" if len(repos) > 1 else "") if repos else ""
        # Text() cells: titles and task names are data, never Rich markup ("[bold]" exists in real dumps).
        out.add_row(
            str(r.rank),
            f"{r.score:.2f}",
            title_text,
            str(paper.year or ""),
            Text(code),
            Text(result_label(best_result(paper.results))),
            ",".join(paper.sources),
        )
    return out


def _csv(report: SearchReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
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
        ]
    )
    for r in report.results:
        body = ranked_json(r)
        repos = best_repos(r.paper.repos)
        writer.writerow(
            [
                r.rank,
                body["id"],
                body["score"],
                body["similarity"],
                r.close,
                r.paper.title,
                r.paper.year or "",
                r.paper.arxiv_id or "",
                r.paper.doi or "",
                body["url"] or "",
                ";".join(r.paper.sources),
                repos[0].url if repos else "",
                repos[0].stars if repos and repos[0].stars is not None else "",
                result_label(best_result(r.paper.results)),
            ]
        )
    return buffer.getvalue()


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


def bibtex_entry(paper: Paper) -> str:
    surname = re.sub(r"[^a-z]", "", (paper.authors[0].split()[-1] if paper.authors else "anon").lower())
    first_word = next((w for w in re.findall(r"[a-z]+", paper.title.lower()) if len(w) > 3), "paper")
    key = f"{surname or 'anon'}{paper.year or ''}{first_word}"
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
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items() if value)
    kind = "article" if paper.doi else "misc"
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _bib_escape(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
