"""IdList reads an index's ids.txt as str.split("\n")[:count] would, without a list of strings."""

from __future__ import annotations

import pytest

from scout.store.idlist import IdList


@pytest.mark.parametrize(
    "text,count",
    [("a\nb", 2), ("a\nb\n", 2), ("", 0), ("x\ny\nz", 2), ("é\nb", 5), ("only", 1), ("a\n\nc", 3)],
)
def test_ids_as_split_lines(tmp_path, text, count):
    path = tmp_path / "ids.txt"
    path.write_text(text, encoding="utf-8")
    ids = IdList.load(path, count)
    expected = text.split("\n")[:count] if text else []
    assert list(ids) == expected and len(ids) == len(expected)
    assert ids[-1:] == expected[-1:]
