"""arXiv: parsing recorded Atom feeds (2026 and 2016 formats) and searching through a real Fetcher."""

from __future__ import annotations

import re

import httpx
import pytest

from scout.errors import ParseError, SourceError
from scout.search.sources import SEARCH_SOURCES, arxiv
from scout.search.sources.arxiv import build_query, parse_feed
from tests.fetch_rig import ATOM, cached_count, html_page, make_rig

RECORDED = "arxiv/arxiv.py_recorded_2026"
LEGACY = "arxiv/arxiv.py_legacy_2016"
PAGES = {0: "q_testing_s0_m10_bc5a6c384fe9", 10: "q_testing_s10_m10_34e56e15aaac", 20: "q_testing_s20_m10_348a237fecab"}


def body(real_fixtures, name: str) -> bytes:
    return (real_fixtures / name).read_bytes()


def page(real_fixtures, start: int) -> bytes:
    return body(real_fixtures, f"{RECORDED}/{PAGES[start]}.body.xml")


def test_2026_feed_with_old_style_id(real_fixtures):
    feed = parse_feed(body(real_fixtures, f"{RECORDED}/id_astro-ph_0601001_s0_m100_3150dca9dc76.body.xml"))
    assert (feed.total, feed.start, len(feed.papers)) == (1, 0, 1)
    paper = feed.papers[0]
    assert paper.title == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina"
    )
    assert paper.arxiv_id == "astro-ph/0601001"
    assert paper.url == "https://arxiv.org/abs/astro-ph/0601001"
    assert paper.published == "2006-01-02"
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.abstract.startswith("We derive the frequencies of hot Jupiters (HJs)")
    assert paper.doi is None
    assert paper.sources == ("arxiv",)


def test_2026_feed_drops_version_and_keeps_dates(real_fixtures):
    paper = parse_feed(body(real_fixtures, f"{RECORDED}/id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml")).papers[0]
    assert (paper.arxiv_id, paper.title, paper.published) == ("2104.12255", "0", "2021-04-20")
    assert paper.authors == ("Quan Thoi Minh Nguyen",)


def test_legacy_2016_feed_with_inline_namespaces_and_doi(real_fixtures):
    feed = parse_feed(body(real_fixtures, f"{LEGACY}/id_list_1111.2011v2.xml"))
    assert (feed.total, feed.start) == (1, 0)
    paper = feed.papers[0]
    # the title is wrapped over two lines in the feed
    assert paper.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert paper.arxiv_id == "1111.2011"
    assert paper.doi == "10.1103/physrevb.85.115117"
    assert paper.published == "2011-11-08"
    assert paper.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")


def test_legacy_search_page(real_fixtures):
    feed = parse_feed(body(real_fixtures, f"{LEGACY}/search_query_au_del_maestro.xml"))
    assert (feed.total, len(feed.papers)) == (31, 10)
    assert all(any("Del Maestro" in name for name in p.authors) for p in feed.papers)
    assert feed.papers[1].authors == ("Adrian Del Maestro", "Subir Sachdev")
    assert feed.papers[0].title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"


def test_full_page_counts_dois(real_fixtures):
    raw = body(real_fixtures, f"{RECORDED}/q_testing_s0_m100_cfe7536492ca.body.xml")
    feed = parse_feed(raw)
    assert (feed.total, feed.start, len(feed.papers)) == (214881, 0, 100)
    assert sum(p.doi is not None for p in feed.papers) == len(re.findall(rb"<arxiv:doi>", raw))
    assert (
        feed.papers[0].title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert len({p.arxiv_id for p in feed.papers}) == 100
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.published) for p in feed.papers)


def test_empty_result(real_fixtures):
    feed = parse_feed(body(real_fixtures, f"{RECORDED}/id_0000.0000_s0_m100_8b51d9633a68.body.xml"))
    assert (feed.total, feed.papers) == (0, ())


def test_error_feed_raises_with_arxivs_message(real_fixtures):
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        parse_feed(body(real_fixtures, f"{RECORDED}/id_abc_s0_m100_b79c8dcf6bc3.body.xml"))


def test_truncated_and_foreign_bodies_are_parse_errors(real_fixtures):
    raw = page(real_fixtures, 0)
    with pytest.raises(ParseError, match="incomplete"):
        parse_feed(raw[: len(raw) // 2])
    with pytest.raises(ParseError, match="not an Atom feed"):
        parse_feed(b"<html><body>Rate exceeded</body></html>")


def test_build_query_ands_words_and_neutralises_syntax():
    assert build_query("Mask classification for panoptic segmentation") == (
        "all:mask AND all:classification AND all:panoptic AND all:segmentation"
    )
    assert build_query('self-supervised "ViT" (ti:x) OR ANDNOT') == (
        'all:"self-supervised" AND all:vit AND all:ti AND all:x AND all:andnot'
    )
    assert build_query("the of") == "all:the AND all:of"
    with pytest.raises(SourceError, match="no words"):
        build_query("  ?! ")


# -- through the Fetcher -------------------------------------------------------------------------


def answer_pages(real_fixtures, pages: dict[int, bytes]):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[int(request.url.params["start"])], headers=ATOM)

    return answer


def test_search_pages_until_limit(real_fixtures, store):
    rig = make_rig(answer_pages(real_fixtures, {s: page(real_fixtures, s) for s in PAGES}), store)
    papers = arxiv.search(rig.fetcher, "testing", 25, page_size=10)
    assert len(papers) == 25
    assert [(r.url.params["start"], r.url.params["max_results"]) for r in rig.requests] == [
        ("0", "10"),
        ("10", "10"),
        ("20", "10"),
    ]
    params = rig.requests[0].url.params
    assert (params["search_query"], params["sortBy"]) == ("all:testing", "relevance")
    assert papers[10] == parse_feed(page(real_fixtures, 10)).papers[0]
    assert papers[24] == parse_feed(page(real_fixtures, 20)).papers[4]


def test_search_stops_at_total_results(real_fixtures, store):
    one = body(real_fixtures, f"{RECORDED}/id_1605.08386_s0_m100_199195aa31ad.body.xml")
    rig = make_rig(answer_pages(real_fixtures, {0: one}), store)
    papers = arxiv.search(rig.fetcher, "heat-bath random walks", 50)
    assert [p.arxiv_id for p in papers] == ["1605.08386"]
    assert len(rig.requests) == 1
    assert rig.requests[0].url.params["max_results"] == "50"


def test_empty_later_page_ends_paging(real_fixtures, store):
    empty = body(real_fixtures, f"{RECORDED}/id_0000.0000_s0_m100_8b51d9633a68.body.xml")
    rig = make_rig(
        answer_pages(real_fixtures, {0: page(real_fixtures, 0), 10: empty, 20: page(real_fixtures, 20)}), store
    )
    assert len(arxiv.search(rig.fetcher, "testing", 30, page_size=10)) == 10
    assert len(rig.requests) == 2


def test_politeness_spaces_requests(real_fixtures, store):
    rig = make_rig(answer_pages(real_fixtures, {s: page(real_fixtures, s) for s in PAGES}), store, arxiv_delay_s=3.0)
    arxiv.search(rig.fetcher, "testing", 20, page_size=10)
    assert rig.sleeps == [3.0]  # the rig's clock moves only by sleeps: the whole interval is waited


def test_spacing_counts_from_the_start_of_the_previous_request(real_fixtures, store):
    answer = answer_pages(real_fixtures, {s: page(real_fixtures, s) for s in PAGES})
    rig = make_rig(lambda request: (rig.clock.advance(1.0), answer(request))[1], store, arxiv_delay_s=3.0)
    arxiv.search(rig.fetcher, "testing", 20, page_size=10)
    assert rig.sleeps == [2.0]  # the first answer took 1 s of the 3


def test_503_then_success_honours_retry_after(real_fixtures, store):
    answers = iter(
        [
            httpx.Response(503, headers={"Retry-After": "7"}, text="busy"),
            httpx.Response(200, content=page(real_fixtures, 0), headers=ATOM),
        ]
    )
    rig = make_rig(lambda request: next(answers), store)
    assert len(arxiv.search(rig.fetcher, "testing", 10)) == 10
    assert rig.sleeps == [7.0]
    assert len(rig.requests) == 2


def test_503_forever_gives_up_after_the_set_tries(store):
    rig = make_rig(lambda request: httpx.Response(503, text="busy"), store)
    with pytest.raises(SourceError, match=r"^arxiv: HTTP 503 after 4 tries$") as err:
        arxiv.search(rig.fetcher, "testing", 10)
    assert err.value.status == 503
    assert len(rig.requests) == 4


def test_http_400_error_feed_names_the_query(real_fixtures, store):
    error = body(real_fixtures, f"{RECORDED}/id_abc_s0_m100_b79c8dcf6bc3.body.xml")
    rig = make_rig(lambda request: httpx.Response(400, content=error, headers=ATOM), store)
    with pytest.raises(SourceError, match="rejected the query 'all:abc'"):
        arxiv.search(rig.fetcher, "abc", 10)


def test_malformed_xml_is_an_error_and_not_cached(real_fixtures, store):
    raw = page(real_fixtures, 0)
    rig = make_rig(lambda request: httpx.Response(200, content=raw[:5000], headers=ATOM), store)
    with pytest.raises(SourceError, match="malformed XML"):
        arxiv.search(rig.fetcher, "testing", 10)
    assert cached_count(store) == 0


@pytest.mark.parametrize(("name", "expected"), [("arxiv", "XML"), ("pwc", "JSON"), ("hf", "JSON")])
def test_html_answer_is_rejected_by_every_source(name, expected, store):
    rig = make_rig(html_page, store)
    with pytest.raises(SourceError, match=f"^{name}: expected {expected} but got 'text/html"):
        SEARCH_SOURCES[name](rig.fetcher, "testing", 10)
    assert cached_count(store) == 0


def test_repeated_search_is_served_from_the_cache(real_fixtures, store):
    rig = make_rig(answer_pages(real_fixtures, {0: page(real_fixtures, 0)}), store)
    first = arxiv.search(rig.fetcher, "testing", 10)
    again = make_rig(lambda request: pytest.fail("the cache should have answered"), store)
    assert arxiv.search(again.fetcher, "testing", 10) == first
    assert len(rig.requests) == 1 and again.requests == []
