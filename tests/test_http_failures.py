"""What the Fetcher retries: what can recover (timeouts, dropped connections, 503), not what
cannot (refused, a name that does not resolve)."""

from __future__ import annotations

import httpx
import pytest

from scout.errors import SourceError
from tests.fetch_rig import make_rig


def _raise(exc: Exception):
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc

    return answer


@pytest.mark.parametrize(
    "error,said",
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "[Errno 111] Connection refused"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "[Errno -2] Name or service not known"),
    ],
)
def test_what_cannot_recover_is_tried_once_and_names_the_host(store, error, said):
    rig = make_rig(_raise(error), store, tries=4)
    with pytest.raises(SourceError) as caught:
        rig.fetcher.get("pwc", "https://paperswithcode.co/api/v1/papers/search", parse=lambda body: body)
    assert len(rig.requests) == 1 and rig.sleeps == []
    assert str(caught.value) == f"pwc: cannot connect to paperswithcode.co ({said})"


@pytest.mark.parametrize("error", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")])
def test_what_may_recover_is_retried(store, error):
    rig = make_rig(_raise(error), store, tries=3)
    with pytest.raises(SourceError, match="after 3 tries"):
        rig.fetcher.get("hf", "http://127.0.0.1:8/api", parse=lambda body: body)
    assert len(rig.requests) == 3
