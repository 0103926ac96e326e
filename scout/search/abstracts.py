"""Give every paper an abstract before it is ranked: a Papers with Code search row has none, and a
paper ranked on its title alone is ranked on a guess.

The local store answers first (`with_stored_abstracts`). The rest come from one batched arXiv
`id_list` request (arXiv's politeness rules apply through the Fetcher), and, for papers arXiv did
not answer for or that have no arXiv id, from Papers with Code's detail call."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from scout.errors import SourceError
from scout.models import Paper
from scout.search.sources import arxiv, pwc

if TYPE_CHECKING:
    from scout.search.http import Fetcher
    from scout.store import Store


def fill_abstracts(
    papers: list[Paper], fetcher: Fetcher, warnings: list[str], *, use_arxiv: bool = True, detail_limit: int = 50
) -> list[Paper]:
    """`papers` with the missing abstracts filled in where a source has them; order kept.

    `use_arxiv=False` skips arXiv (it just failed this search: asking again only waits). At most
    `detail_limit` detail calls are made; failures become one warning per source."""
    missing = [p for p in papers if not p.abstract]
    if not missing:
        return papers
    found: dict[str, str] = {}
    ids = [p.arxiv_id for p in missing if p.arxiv_id]
    if ids and use_arxiv:
        try:
            for paper in arxiv.by_ids(fetcher, ids):
                if paper.abstract:
                    found[paper.arxiv_id] = paper.abstract
        except SourceError as exc:
            warnings.append(f"arxiv: could not fetch {len(ids)} missing abstracts ({exc.reason})")
    still = [p for p in missing if not (p.arxiv_id and p.arxiv_id in found) and (p.pwc_id or p.arxiv_id)]
    failures: list[str] = []

    def from_detail(paper: Paper) -> tuple[Paper, str | None]:
        try:
            info = pwc.detail(fetcher, paper)
        except SourceError as exc:
            failures.append(exc.reason)
            return paper, None
        return paper, info.paper.abstract if info is not None else None

    with ThreadPoolExecutor(max_workers=4) as pool:
        by_paper = {p.id: text for p, text in pool.map(from_detail, still[:detail_limit]) if text}
    if failures:
        warnings.append(f"pwc: could not fetch {len(failures)} missing abstracts ({failures[0]})")
    out = []
    for paper in papers:
        text = (found.get(paper.arxiv_id) if paper.arxiv_id else None) or by_paper.get(paper.id)
        out.append(paper.with_(abstract=text) if not paper.abstract and text else paper)
    return out


def with_stored_abstracts(papers: list[Paper], store: Store) -> list[Paper]:
    """`papers` with the missing abstracts that the store holds (an imported archive, an earlier
    search) filled in: no request, and the vector cached for that text is reused."""
    missing = [p.id for p in papers if not p.abstract]
    stored = {p.id: p.abstract for p in store.papers_by_ids(missing) if p.abstract} if missing else {}
    return [p.with_(abstract=stored[p.id]) if p.id in stored else p for p in papers]
