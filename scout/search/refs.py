"""What a user may paste to name a paper, turned into the key the store looks it up by: a scout id
(arxiv:2104.12255), an arXiv id or URL (abs or pdf, any version, export. or www.), a DOI in any
spelling (10.x/y, doi:10.x/y, https://doi.org/10.x/y; arXiv's own DOIs 10.48550/arXiv.ID are the
arXiv paper), a Hugging Face papers URL, or a Papers with Code URL or slug (paperswithcode.co/paper/
ARXIV_ID, the archive's paperswithcode.com/paper/SLUG). Pure: no store, no network."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

from scout.models import normalize_arxiv_id, normalize_doi

_NEW_ID = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
_OLD_ID = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?")
_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_PAPER_PATH = re.compile(r"^/(?:abs|pdf|papers?|html)/(.+?)(?:\.pdf)?/?$")


def paper_ref(text: str) -> str:
    """The store key for what the user typed: `arxiv:ID`, `doi:DOI`, or the text itself (a scout
    id such as title:..., a Papers with Code slug or numeric id)."""
    text = unquote(text.strip())
    if text.lower().startswith(("arxiv:", "doi:")) and ":" in text:
        scheme, _, rest = text.partition(":")
        return paper_ref(rest) if scheme.lower() == "doi" else _arxiv(rest) or text
    if "://" in text or text.startswith(("arxiv.org/", "www.", "doi.org/", "paperswithcode.")):
        return _from_url(text if "://" in text else "https://" + text)
    arxiv_doi = _ARXIV_DOI.fullmatch(text)
    if arxiv_doi:
        return _arxiv(arxiv_doi.group(1)) or f"doi:{normalize_doi(text)}"
    if _DOI.fullmatch(text):
        return f"doi:{normalize_doi(text)}"
    return _arxiv(text) or text


def _arxiv(text: str) -> str | None:
    bare = text.strip().strip("/")
    if _NEW_ID.fullmatch(bare) or _OLD_ID.fullmatch(bare):
        return f"arxiv:{normalize_arxiv_id(bare)}"
    return None


def _from_url(url: str) -> str:
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("export.")
    path = parsed.path
    if host in ("doi.org", "dx.doi.org"):
        return paper_ref(path.lstrip("/"))
    match = _PAPER_PATH.match(path)
    tail = match.group(1) if match else path.strip("/")
    if host in ("arxiv.org", "huggingface.co", "alphaxiv.org"):
        found = _arxiv(tail)
        if found:
            return found
    if host.startswith("paperswithcode."):
        # The relaunched site names papers by arXiv id; the archive's pages by a slug of the title.
        return _arxiv(tail) or tail
    return url
