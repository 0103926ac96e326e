"""A BM25 index of the stored papers, kept on disk beside the vector index: bm25s precomputes the
score of every (term, paper) pair into sparse arrays that are memory-mapped, so a query over the
whole archive sums a few posting lists in milliseconds where SQLite FTS5 BM25 takes tens to
hundreds on common words. Papers stored after the build are scored with the index's own
statistics (`score_texts`), so they rank on the same scale as the indexed ones."""

from __future__ import annotations

import bisect
import importlib.util
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from scout.files import atomic_write
from scout.store.idlist import IdList
from scout.store.rowids import ROWIDS, load_rowids, save_rowids

K1 = 1.5  # bm25s's defaults (Lucene's BM25 variant)
B = 0.75
TITLE_WEIGHT = 2  # the title counts this many times, as FTS5's column weight did
_ARRAYS = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
# bm25s's vocabulary again, sorted and memory-mapped: a query looks its few terms up by bisection
# instead of parsing vocab.index.json (600k terms: half a second of CPU per offline query).
_TERMS, _TERM_IDS = "terms.txt", "term_ids.npy"
_FILES = (*_ARRAYS, "vocab.index.json", "params.index.json", "ids.txt", _TERMS, _TERM_IDS)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default pattern


def lexical_dir(root: Path) -> Path:
    return Path(root) / "index" / "bm25s"


def indexed_text(title: str | None, abstract: str | None) -> str:
    return "\n".join([title or ""] * TITLE_WEIGHT + [abstract or ""])


@lru_cache(maxsize=1)
def _stemmer():
    # The Porter-family stemmer FTS5 used, so "masks" still finds "mask".
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """bm25s's English stopwords, read from its stopwords module without importing the package,
    whose __init__ imports scipy (a quarter of a second or more per offline query)."""
    try:
        origin = importlib.util.find_spec("bm25s").origin
        spec = importlib.util.spec_from_file_location("scout_bm25s_stopwords", Path(origin).with_name("stopwords.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return frozenset(module.STOPWORDS_EN)
    except (AttributeError, TypeError, OSError, ImportError):  # laid out otherwise: ask the package
        from bm25s.stopwords import STOPWORDS_EN

        return frozenset(STOPWORDS_EN)


def tokenize(texts: list[str], *, stem: bool = True) -> list[list[str]]:
    """What bm25s.tokenize(texts, stopwords="en", stemmer=...) returns as strings (stemmer=None
    where not `stem`): lowercased words of two or more word characters, stopwords dropped, then
    stemmed (tests hold the two equal)."""
    stop = _stopwords()
    words = [[w for w in _TOKEN.findall(text.lower()) if w not in stop] for text in texts]
    return [_stemmer().stemWords(ws) for ws in words] if stem else words


def pool_scores(query: str, texts: list[str]) -> np.ndarray:
    """BM25 of `query` against each of `texts` with the texts themselves as the corpus, unstemmed:
    the scores of bm25s.BM25() (Lucene's variant, k1 1.5, b 0.75) indexing them, to the bit (tests
    hold the two equal), without importing bm25s and scipy for a pool of a few hundred texts."""
    docs = [Counter(tokens) for tokens in tokenize(texts, stem=False)]
    scores = np.zeros(len(texts), dtype=np.float32)
    if not docs:
        return scores
    lengths = [sum(doc.values()) for doc in docs]
    mean_length = np.array(lengths).mean()  # a NumPy float64, as bm25s computes it
    df = Counter(term for doc in docs for term in doc)
    for term in tokenize([query], stem=False)[0]:  # a repeated query word counts again, as in bm25s
        if term not in df:
            continue
        idf = np.float32(math.log(1 + (len(docs) - df[term] + 0.5) / (df[term] + 0.5)))
        rows = [i for i, doc in enumerate(docs) if term in doc]
        tf = np.array([docs[i][term] for i in rows], dtype=np.float32)
        length = np.array([lengths[i] for i in rows], dtype=np.float64)
        # bm25s's float64 term-frequency part times its float32 idf, kept as float32 per pair.
        pair = (idf * (tf / (K1 * ((1 - B) + B * length / mean_length) + tf))).astype(np.float32)
        scores[rows] += pair
    return scores


class SortedTerms:
    """A vocabulary (term -> id) as the sorted, memory-mapped term list and the ids in that order."""

    def __init__(self, terms: IdList, ids: np.ndarray):
        self.terms = terms
        self.ids = ids

    @classmethod
    def load(cls, folder: Path) -> SortedTerms | None:
        """The sorted vocabulary of the index in `folder`, or None where it has none (built before
        it was written) or an older scout rebuilt the index since (its vocabulary is newer)."""
        try:
            if (folder / _TERMS).stat().st_mtime_ns < (folder / "vocab.index.json").stat().st_mtime_ns:
                return None
            ids = np.load(folder / _TERM_IDS, mmap_mode="r")
            terms = IdList.load(folder / _TERMS, len(ids))
        except (OSError, ValueError):
            return None
        return cls(terms, ids) if len(terms) == len(ids) else None

    @staticmethod
    def write(folder: Path, vocab: dict[str, int]) -> None:
        terms = sorted(t for t in vocab if t)  # "" (bm25s's empty-document token) is never a query term
        (folder / _TERMS).write_text("\n".join(terms), encoding="utf-8")
        np.save(folder / _TERM_IDS, np.array([vocab[t] for t in terms], dtype=np.int64))

    def get(self, term: str, default: int | None = None) -> int | None:
        i = bisect.bisect_left(self.terms, term)
        return int(self.ids[i]) if i < len(self.terms) and self.terms[i] == term else default


@dataclass(frozen=True)
class LexicalMeta:
    count: int
    built_at: float  # papers updated after this are not (or not as they are now) in the index
    avg_doc_len: float


class LexicalIndex:
    def __init__(
        self, folder: Path, meta: LexicalMeta, ids: IdList, vocab: SortedTerms | dict[str, int], arrays, rowids=None
    ):
        self.folder = folder
        self.meta = meta
        self.ids = ids
        self.rowids = rowids  # each row's papers.rowid at the build (scout.store.rowids), or None
        self.vocab = vocab
        self.data, self.indices, self.indptr = arrays  # CSC by term: the papers and scores of each

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The index in `folder` (arrays memory-mapped), or None when none was built or a build
        did not finish."""
        try:
            meta = LexicalMeta(**json.loads((folder / "meta.json").read_text()))
            ids = IdList.load(folder / "ids.txt", meta.count)
            vocab = SortedTerms.load(folder) or json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            arrays = tuple(np.load(folder / name, mmap_mode="r") for name in _ARRAYS)
        except (OSError, ValueError, TypeError):
            return None
        if len(ids) != meta.count or len(arrays[2]) < 1:
            return None
        return cls(folder, meta, ids, vocab, arrays, load_rowids(folder, meta.count))

    def _term_ids(self, text: str) -> list[int]:
        terms = tokenize([text])[0]
        return sorted({i for i in map(self.vocab.get, terms) if i is not None})

    def top_rows(self, text: str, k: int) -> list[tuple[int, float]]:
        """(row, BM25) of the k best papers with at least one query term, best first: `ids` names
        the paper of a row, which also locates it in an index built over the same papers
        (VectorIndex.score_rows)."""
        terms = self._term_ids(text)
        if k <= 0 or not terms:
            return []
        scores = np.zeros(self.meta.count, dtype=np.float32)
        postings = []
        for term in terms:
            start, end = int(self.indptr[term]), int(self.indptr[term + 1])
            # A paper appears once in a term's posting list, so plain fancy-index addition is exact.
            scores[self.indices[start:end]] += self.data[start:end]
            postings.append(self.indices[start:end])
        # The papers hit are those of the posting lists, not every nonzero of the whole archive's
        # array (a scan of all rows, ~2 ms at 576k papers). A paper is in at most one list per term,
        # so the len(terms) * k best entries hold the k best papers.
        entries = np.concatenate(postings)
        keep = len(terms) * k
        if len(entries) > keep:
            entries = entries[np.argpartition(scores[entries], len(entries) - keep)[len(entries) - keep :]]
        hits = np.unique(entries)
        if len(hits) > k:
            hits = hits[np.argpartition(scores[hits], len(hits) - k)[len(hits) - k :]]
        order = hits[np.lexsort((hits, -scores[hits]))]
        return [(int(i), float(scores[i])) for i in order]

    def score_texts(self, text: str, texts: list[str]) -> np.ndarray:
        """BM25 of `text` against each of `texts` (indexed_text form), with this index's document
        frequencies and mean length: what each would score had it been indexed."""
        terms = set(tokenize([text])[0])
        out = np.zeros(len(texts), dtype=np.float32)
        if not terms or not texts:
            return out
        n = self.meta.count
        idf = {}
        for term in terms:
            t = self.vocab.get(term)
            # A word no indexed paper has (yet) is as rare as a word can be.
            df = 0 if t is None else int(self.indptr[t + 1]) - int(self.indptr[t])
            idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for row, tokens in enumerate(tokenize(texts)):
            counts = Counter(tokens)
            norm = K1 * ((1 - B) + B * len(tokens) / self.meta.avg_doc_len)
            out[row] = sum(idf[t] * counts[t] / (norm + counts[t]) for t in terms if t in counts)
        return out


def build_lexical_index(
    folder: Path,
    ids: list[str],
    texts: list[str],
    *,
    built_at: float | None = None,
    rowids: list[int] | None = None,
) -> LexicalMeta:
    """Write a new index of `texts` (indexed_text form), replacing any old one only once the new one
    is complete. `built_at` is when the texts were read: papers updated later count as fresh;
    `rowids` are the papers' rowids in the store."""
    import bm25s

    built_at = time.time() if built_at is None else built_at
    folder.mkdir(parents=True, exist_ok=True)
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
    lengths = [len(doc) for doc in tokens.ids]
    meta = LexicalMeta(count=len(ids), built_at=built_at, avg_doc_len=float(np.mean(lengths)) if lengths else 1.0)
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index(tokens, show_progress=False)
    del tokens
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        retriever.save(str(staging))
        SortedTerms.write(staging, retriever.vocab_dict)
        (staging / "ids.txt").write_text("\n".join(ids), encoding="utf-8")
        if rowids is not None:
            save_rowids(staging / ROWIDS, rowids)
        # No meta, no index: a crash while the files are swapped in leaves none rather than a mix.
        (folder / "meta.json").unlink(missing_ok=True)
        for name in _FILES:
            os.replace(staging / name, folder / name)
        if rowids is None:
            (folder / ROWIDS).unlink(missing_ok=True)
        else:
            os.replace(staging / ROWIDS, folder / ROWIDS)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    atomic_write(folder / "meta.json", json.dumps(meta.__dict__))
    return meta
