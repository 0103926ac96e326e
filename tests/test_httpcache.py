"""The sources' answers kept between runs in the user's shared cache (hishel's SQLite storage)."""

from __future__ import annotations

from scout.search.httpcache import HttpCache, clear_http_cache, http_cache_path


def test_an_answer_is_served_within_its_time_to_live_and_replaced_not_duplicated(tmp_path):
    cache = HttpCache(http_cache_path(tmp_path), ttl_s=3600)
    cache.cache_response("k", "http://x/a", 200, "application/json", b"{}")
    cache.cache_response("k", "http://x/a", 200, "application/json", b'{"new": 1}')
    answer = cache.cached_response("k", max_age_s=60)
    assert (answer.status, answer.content_type, answer.body) == (200, "application/json", b'{"new": 1}')
    assert cache.cached_response("k", max_age_s=-1) is None  # older than asked for
    assert cache.cached_response("other", max_age_s=60) is None
    cache.close()


def test_two_projects_share_the_answers_and_clear_forgets_them(tmp_path):
    first, second = (HttpCache(http_cache_path(tmp_path), ttl_s=3600) for _ in range(2))
    first.cache_response("k", "http://x/missing", 404, None, b"")
    assert second.cached_response("k", max_age_s=60).status == 404
    first.close(), second.close()
    assert clear_http_cache(tmp_path) > 0
    fresh = HttpCache(http_cache_path(tmp_path), ttl_s=3600)
    assert fresh.cached_response("k", max_age_s=60) is None
    fresh.close()
