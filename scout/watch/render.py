"""A watch run as JSON (each result in the `scout search --json` shape), as a Markdown digest for
mail or chat, or as an RSS 2.0 feed for a feed reader."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone

from scout import schema
from scout.clock import parse_iso
from scout.search.render import best_repos, best_result, paper_json, ranked_json, repo_label, result_label
from scout.watch.run import WatchReport, WatchRun

FORMATS = ("markdown", "json", "rss")


def run_json(run: WatchRun) -> dict:
    return {
        "schema": schema.WATCH,
        "ran_at": run.ran_at,
        "model": run.model,
        "watches": [report_json(r) for r in run.reports],
    }


def report_json(report: WatchReport) -> dict:
    watch = report.watch
    return {
        "name": watch.name,
        "query": watch.query,
        "about": watch.about,
        "threshold": watch.threshold,
        "since": report.since,
        "sources": {name: st.to_json() for name, st in report.sources.items()},
        "warnings": list(report.warnings),
        "considered": report.considered,
        "results": [ranked_json(r) for r in report.results],
    }


def render(run: WatchRun, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(run_json(run), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return markdown(run)
    if fmt == "rss":
        return rss(run)
    raise ValueError(f"unknown format {fmt!r}")


def markdown(run: WatchRun) -> str:
    lines: list[str] = []
    for report in run.reports:
        oldest = min(report.since.values(), default=run.ran_at)
        count = len(report.results)
        lines += [
            f"## scout watch {report.watch.name}: {count} new {'paper' if count == 1 else 'papers'}",
            "",
            f"*{_one_line(report.watch.query)}*, {report.considered} new papers ranked since {oldest[:10]}",
            "",
        ]
        for r in report.results:
            lines += _markdown_paper(r)
        if not report.results:
            lines += ["Nothing new above the threshold.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_paper(r) -> list[str]:
    paper = r.paper
    url = paper_json(paper)["url"]
    title = f"[{_one_line(paper.title)}]({url})" if url else _one_line(paper.title)
    flag = " **close prior work**" if r.close else ""
    lines = [
        f"{r.rank}. {title}{flag}  ",
        f"   score {r.score:.2f} · similarity {r.similarity:.2f}"
        f" · {paper.published or 'date unknown'} · {', '.join(paper.sources)}  ",
    ]
    repos = best_repos(paper.repos)[:3]
    if repos:
        lines.append("   code: " + ", ".join(f"[{repo_label(repo)}]({repo.url})" for repo in repos) + "  ")
    best = best_result(paper.results)
    if best is not None:
        lines.append(f"   reported: {result_label(best)}  ")
    return [*lines, ""]


def rss(run: WatchRun) -> str:
    """An RSS 2.0 channel with one item per reported paper; an item's guid is the watch and the
    paper, so a reader that sees the same paper in two watches shows it under each."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    names = ", ".join(r.watch.name for r in run.reports)
    feed.title(f"scout watch: {names}")
    feed.link(href="https://pypi.org/project/scout")
    feed.description(f"New papers ranked against the task of each watch ({names}) by scout, model {run.model}")
    feed.lastBuildDate(parse_iso(run.ran_at))
    feed.generator("scout")
    # feedgen puts the entry added last first; add the lowest ranks first so rank 1 leads.
    for report in reversed(run.reports):
        for r in reversed(report.results):
            paper = r.paper
            entry = feed.add_entry()
            entry.guid(f"scout-watch:{report.watch.name}:{paper.id}", permalink=False)
            entry.title(f"[{report.watch.name}] {paper.title}" + (" (close prior work)" if r.close else ""))
            url = paper_json(paper)["url"]
            if url:
                entry.link(href=url)
            entry.description(_rss_description(r))
            entry.category(term=report.watch.name)
            entry.pubDate(_published(paper.published) or parse_iso(run.ran_at))
    return feed.rss_str(pretty=True).decode("utf-8")


def _rss_description(r) -> str:
    paper = r.paper
    parts = [f"score {r.score:.2f}, similarity {r.similarity:.2f}"]
    if paper.authors:
        parts.append(", ".join(paper.authors[:10]) + (" et al." if len(paper.authors) > 10 else ""))
    repos = best_repos(paper.repos)
    if repos:
        parts.append("code: " + ", ".join(f"{repo_label(repo)} {repo.url}" for repo in repos[:3]))
    best = best_result(paper.results)
    if best is not None:
        parts.append(f"reported: {result_label(best)}")
    if paper.abstract:
        parts.append(paper.abstract)
    return "\n\n".join(parts)


def _published(day: str | None) -> datetime | None:
    try:
        return datetime.combine(datetime.fromisoformat(day).date(), time(), timezone.utc) if day else None
    except ValueError:
        return None


def _one_line(text: str) -> str:
    # Brackets would end a Markdown link title early; titles are data, never markup.
    return " ".join(text.split()).replace("[", "\\[").replace("]", "\\]")
