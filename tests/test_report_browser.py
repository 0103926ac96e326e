"""The report in a real browser: headless Chromium opens the file, the page renders with no console
error (a script the page's policy blocked would be one), the filter and the sort work, the
untrusted title runs nothing, and the screenshot is a real page."""

from __future__ import annotations

import pytest

from tests.chromium import Browser, find_chromium, png_size
from tests.test_report import _html, rig  # noqa: F401
from tests.test_search_cli import recorded_routes  # noqa: F401

CHROMIUM = find_chromium()
pytestmark = [pytest.mark.slow, pytest.mark.needs("chromium")]
WIDTH, HEIGHT = 1280, 900

VISIBLE = "Array.from(document.querySelectorAll('#papers tbody tr')).filter(r => !r.hidden)"


def test_the_page_renders_filters_and_sorts_in_chromium(rig, tmp_path):  # noqa: F811
    _, _, out = _html(rig)
    papers = rig.search["results"]
    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        browser.open(out.resolve().as_uri(), WIDTH, HEIGHT)
        assert browser.evaluate(f"{VISIBLE}.length") == len(papers)
        assert browser.evaluate("document.getElementById('paper-count').textContent") == "15 of 15 papers"

        # Filter by text: every word must appear in the row.
        browser.evaluate(
            "(() => { const box = document.getElementById('paper-filter'); box.value = 'generative ADVERSARIAL';"
            " box.dispatchEvent(new Event('input')); })()"
        )
        shown = browser.evaluate(f"{VISIBLE}.map(r => r.querySelector('td.title a').textContent)")
        expected = [p["title"] for p in papers if {"generative", "adversarial"} <= set(_row_words(p))]
        assert shown and len(shown) < len(papers)
        assert set(expected) <= set(shown)
        assert browser.evaluate("document.getElementById('paper-count').textContent") == f"{len(shown)} of 15 papers"

        # Code only, with the text filter cleared.
        browser.evaluate(
            "(() => { const box = document.getElementById('paper-filter'); box.value = '';"
            " box.dispatchEvent(new Event('input')); document.getElementById('code-only').click(); })()"
        )
        with_code = [p["title"] for p in papers if p["repos"]]
        assert browser.evaluate(f"{VISIBLE}.map(r => r.querySelector('td.title a').textContent)") == with_code
        browser.evaluate("document.getElementById('code-only').click()")

        # Sort by year, newest first on the second click.
        browser.evaluate("document.querySelectorAll('#papers thead th')[3].click()")
        browser.evaluate("document.querySelectorAll('#papers thead th')[3].click()")
        years = browser.evaluate(f"{VISIBLE}.map(r => r.cells[3].textContent)")
        assert years == sorted(years, key=lambda y: int(y or 0), reverse=True)

        # The title with <script> and an onerror handler ran nothing.
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        width = browser.evaluate("document.documentElement.scrollWidth")
        height = browser.evaluate("document.documentElement.scrollHeight")
        assert width >= 1000 and height >= 1500
        assert browser.evaluate("document.querySelectorAll('svg').length") == 2
        shot = tmp_path / "report.png"
        browser.screenshot(shot)
        assert browser.errors == []
    shot_width, shot_height = png_size(shot)
    assert shot_width >= 1000 and shot_height >= 1500
    assert shot.stat().st_size > 50_000  # a blank page compresses to a few kilobytes


def _row_words(paper: dict) -> list[str]:
    text = " ".join([paper["title"], *paper["authors"], *(r["url"] for r in paper["repos"])]).lower()
    return text.split()
