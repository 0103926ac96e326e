"""Read the Papers with Code archive dumps (JSON, gzipped JSON or parquet) one record at a time,
and turn each record into plain rows. Reading streams, so memory stays flat whatever the size.

The dumps are user-submitted data: names can be empty, enormous, full of control characters or
read like instructions. They are cleaned into plain one-line text and never interpreted."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scout.errors import DumpError, ParseError
from scout.metrics import parse_metric_value
from scout.models import Paper, normalize_arxiv_id, paper_key

PAPERS, LINKS, RESULTS = "papers", "links", "evaluation-tables"
KINDS = (PAPERS, LINKS, RESULTS)

_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+")
_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PWC_PAPER = re.compile(r"paperswithcode\.com/paper/([^/?#\s]+)")
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/")
NAME_LIMIT = 300  # longer task, dataset or model names are cut: no leaderboard name is that long
_PEEK = 100  # records looked at to tell a dump's kind


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    """An opened dump: its kind and its size for progress (bytes for JSON, rows for parquet)."""

    path: Path
    kind: str
    total: int
    unit: str  # "bytes" or "rows"

    def records(self, skip: int = 0) -> Iterator[tuple[int, object]]:
        """(position, record) pairs, starting after the `skip` records an earlier run imported.
        The position is in the dump's unit, for a progress bar. Raises DumpError where it breaks."""
        reader = _parquet_records if self.unit == "rows" else _json_records
        return reader(self.path, skip)


def open_dump(path: Path) -> Dump:
    """Tell the dump's kind from its first records (the file name only breaks ties)."""
    path = Path(path)
    if not path.is_file():
        raise ParseError(f"{path}: no such file; give the path of a Papers with Code dump")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == _PARQUET_MAGIC:
        columns, total = _parquet_shape(path)
        dump = Dump(path, kind_of_fields(columns) or "", total, "rows")
    else:
        dump = Dump(path, _json_kind(path) or "", path.stat().st_size, "bytes")
    if not dump.kind:
        raise ParseError(
            f"{path}: not a Papers with Code dump scout can import (papers-with-abstracts, "
            "links-between-papers-and-code or evaluation-tables, as .json, .json.gz or .parquet)"
        )
    return dump


def kind_of_fields(fields) -> str | None:
    names = set(fields)
    if "repo_url" in names:
        return LINKS
    if "task" in names and ({"datasets", "subtasks"} & names):
        return RESULTS
    if "title" in names and ({"abstract", "arxiv_id", "paper_url"} & names):
        return PAPERS
    return None


def _kind_from_name(name: str) -> str | None:
    for marker, kind in (("papers-with-abstracts", PAPERS), ("links-between", LINKS), ("evaluation-tables", RESULTS)):
        if marker in name:
            return kind
    return None


def _json_kind(path: Path) -> str | None:
    """The kind its first records show; the file name decides only when the file breaks before
    any record does (a JSON object or a list of something else is not a dump)."""
    records = _json_records(path, 0)
    try:
        for number, (_, record) in enumerate(records):
            kind = kind_of_fields(record) if isinstance(record, dict) else None
            if kind or number >= _PEEK:
                return kind
    except DumpError:
        return _kind_from_name(path.name)
    finally:
        records.close()
    return None


def _json_records(path: Path, skip: int) -> Iterator[tuple[int, object]]:
    import ijson

    with path.open("rb") as raw:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if raw.read(2) == _GZIP_MAGIC else raw
        raw.seek(0)
        try:
            for number, record in enumerate(ijson.items(stream, "item", use_float=True)):
                if number >= skip:
                    yield raw.tell(), record
        except (EOFError, OSError, zlib.error, ijson.JSONError, UnicodeDecodeError) as exc:
            raise DumpError(f"{path.name}: unreadable after the last good record ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _parquet_shape(path: Path) -> tuple[list[str], int]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises several unrelated types for a broken file
        raise ParseError(f"{path}: not a readable parquet file ({_reason(exc)})") from exc
    return [meta.schema.column(i).path.split(".")[0] for i in range(meta.num_columns)], meta.num_rows


def _parquet_records(path: Path, skip: int) -> Iterator[tuple[int, object]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        seen = 0
        for group in range(pf.num_row_groups):
            rows = pf.metadata.row_group(group).num_rows
            if seen + rows <= skip:  # row groups an earlier run imported are not even read
                seen += rows
                continue
            for batch in pf.iter_batches(batch_size=1024, row_groups=[group]):
                for record in batch.to_pylist():
                    seen += 1
                    if seen > skip:
                        yield seen, record
    except (pa.ArrowException, OSError) as exc:
        raise DumpError(f"{path.name}: unreadable after the last good record ({_reason(exc)})") from exc


# -- records to rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRef:
    """How a link or leaderboard row names its paper; the store resolves it to a paper id."""

    arxiv_id: str | None
    slug: str | None
    title: str | None

    @property
    def key(self) -> str:
        if self.arxiv_id:
            return f"arxiv:{self.arxiv_id}"
        if self.slug:
            return f"pwc:{self.slug}"
        return f"title:{(self.title or '').lower()}"


@dataclass(frozen=True)
class PaperRow:
    id: str
    arxiv_id: str | None
    pwc_id: str | None
    title: str
    abstract: str | None
    authors: tuple[str, ...]
    published: str | None
    year: int | None
    url: str | None


@dataclass(frozen=True)
class LinkRow:
    paper: PaperRef
    repo_url: str
    official: bool | None
    framework: str | None


@dataclass(frozen=True)
class ResultRow:
    paper: PaperRef
    task: str
    dataset: str
    metric: str
    model: str
    value: float
    unit: str | None
    raw: str
    extra_data: bool | None = None  # the row's `uses_additional_data`
    paper_date: str | None = None
    code_urls: tuple[str, ...] = ()
    metric_order: int | None = None  # the metric's place in its table's own list; 0 ranks the table


def clean_name(value: object, limit: int = NAME_LIMIT) -> str | None:
    """One line of plain text, or None: control and bidi characters go, whitespace collapses."""
    if not isinstance(value, str):
        return None
    text = _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()
    return text[:limit].rstrip() or None


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def slug_of(url: object) -> str | None:
    match = _PWC_PAPER.search(url) if isinstance(url, str) else None
    return match.group(1) if match else None


def paper_ref(arxiv_id: object, url: object, title: object) -> PaperRef | None:
    arxiv = normalize_arxiv_id(arxiv_id) if isinstance(arxiv_id, str) else None
    if not arxiv and isinstance(url, str) and _ARXIV_URL.search(url):
        arxiv = normalize_arxiv_id(url)
    ref = PaperRef(arxiv, slug_of(url), clean_name(title, 1000))
    return ref if (ref.arxiv_id or ref.slug or ref.title) else None


def paper_row(record: object) -> PaperRow | None:
    """A papers-with-abstracts record as a store row; None when it has no title."""
    if not isinstance(record, dict):
        return None
    title = clean_name(record.get("title"), 1000)
    if not title:
        return None
    date = record.get("date")
    published = date[:10] if isinstance(date, str) and _DATE.match(date) else None
    arxiv_id = normalize_arxiv_id(record.get("arxiv_id")) if isinstance(record.get("arxiv_id"), str) else None
    authors = record.get("authors")
    authors = (
        tuple(a.strip() for a in authors if isinstance(a, str) and a.strip())
        if isinstance(authors, (list, tuple))
        else ()
    )
    paper = Paper(title=title, published=published, arxiv_id=arxiv_id)
    return PaperRow(
        id=paper_key(paper),
        arxiv_id=arxiv_id,
        pwc_id=slug_of(record.get("paper_url")),
        title=title,
        abstract=_text(record.get("abstract")),
        authors=authors,
        published=published,
        year=paper.year,
        url=_text(record.get("url_abs")) or _text(record.get("paper_url")),
    )


def link_row(record: object) -> LinkRow | None:
    """A links-between-papers-and-code record; None when it names no repo or no paper."""
    if not isinstance(record, dict):
        return None
    repo_url = _text(record.get("repo_url"))
    ref = paper_ref(record.get("paper_arxiv_id"), record.get("paper_url"), record.get("paper_title"))
    if not repo_url or not repo_url.startswith(("http://", "https://")) or ref is None:
        return None
    official = record.get("is_official")
    framework = clean_name(record.get("framework"), 50)
    return LinkRow(
        ref,
        repo_url.rstrip("/"),
        official if isinstance(official, bool) else None,
        None if framework in (None, "none") else framework,
    )


def result_rows(task: object) -> tuple[list[ResultRow], int]:
    """Every leaderboard row of one evaluation-tables task, subtasks and subdatasets included,
    one row per reported metric; and how many rows or values were skipped as unusable."""
    rows: list[ResultRow] = []
    skipped = _walk_task(task, rows)
    return rows, skipped


def _walk_task(task: object, out: list[ResultRow]) -> int:
    if not isinstance(task, dict):
        return 1
    name = clean_name(task.get("task")) or ""
    skipped = sum(_walk_dataset(name, d, out) for d in _list(task.get("datasets")))
    return skipped + sum(_walk_task(sub, out) for sub in _list(task.get("subtasks")))


def _walk_dataset(task: str, dataset: object, out: list[ResultRow]) -> int:
    if not isinstance(dataset, dict):
        return 1
    name = clean_name(dataset.get("dataset")) or ""
    sota = dataset.get("sota")
    rows = _list(sota.get("rows")) if isinstance(sota, dict) else []
    listed = [clean_name(m) for m in _list(sota.get("metrics"))] if isinstance(sota, dict) else []
    order = {metric: i for i, metric in reversed(list(enumerate(listed))) if metric}
    skipped = sum(_sota_row(task, name, row, out, order) for row in rows)
    return skipped + sum(_walk_dataset(task, sub, out) for sub in _list(dataset.get("subdatasets")))


def _sota_row(task: str, dataset: str, row: object, out: list[ResultRow], order: dict[str, int]) -> int:
    if not isinstance(row, dict) or not isinstance(row.get("metrics"), dict):
        return 1
    ref = paper_ref(None, row.get("paper_url"), row.get("paper_title"))
    if ref is None:
        return 1  # a leaderboard entry with no paper cannot be attached to one
    model = clean_name(row.get("model_name")) or ""
    extra = row.get("uses_additional_data")
    date = row.get("paper_date")
    codes = tuple(
        link["url"].strip()
        for link in _list(row.get("code_links"))
        if isinstance(link, dict) and isinstance(link.get("url"), str) and link["url"].strip().startswith("http")
    )
    context = {
        "extra_data": extra if isinstance(extra, bool) else None,
        "paper_date": date[:10] if isinstance(date, str) and _DATE.match(date) else None,
        "code_urls": codes,
    }
    skipped = 0
    for metric_name, raw in row["metrics"].items():
        metric = clean_name(metric_name)
        parsed = parse_metric_value(raw)
        if not metric or parsed is None:
            skipped += 1
            continue
        out.append(
            ResultRow(
                ref,
                task,
                dataset,
                metric,
                model,
                parsed.value,
                parsed.unit,
                parsed.raw,
                metric_order=order.get(metric),
                **context,
            )
        )
    return skipped


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
