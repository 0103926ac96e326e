"""Text that came from a repo or a source, made safe to show: on a terminal, every control
character visible as its escape (`\\x1b[8m`, `\\n`), so what a user reads is what is there; in
Markdown, syntax and HTML escaped. Stripping escapes would show a hidden part joined to the rest as
if it were plain text; showing them makes a concealed `; rm -rf ~` stand out as concealed."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the invisible Unicode format characters that reorder or hide text
# (bidi overrides and isolates, zero-width characters, line and paragraph separators, BOM).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Markdown syntax characters, escaped with a backslash in a cell or a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|!~])")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """The text with every control or invisible character shown as its escape: `\\x1b[8m`, `\\n`,
    `\\u202e`. The one function for repo-supplied text on a terminal."""
    return _CONTROL.sub(lambda m: _escape(m.group(0)), str(text))


def has_control(text: str) -> bool:
    """Whether the text holds a character a terminal would act on or hide (a newline too)."""
    return _CONTROL.search(text) is not None


def md(text) -> str:
    """Text for a Markdown table cell or line: controls visible, Markdown and HTML syntax escaped,
    one line."""
    if text is None:
        return ""
    flat = visible(" ".join(str(text).split()))
    # Entities for HTML, so no renderer that allows inline HTML ever sees a tag.
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def mdcode(text: str | None) -> str:
    """Text as Markdown inline code: one line, controls visible, a fence longer than any backtick run."""
    if not text:
        return ""
    flat = visible(" ".join(str(text).split())).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{flat}{pad}{fence}"


def plain_text(value: object, style: str = ""):
    """A rich Text of data from a source or a repo: never markup, its controls visible."""
    from rich.text import Text

    return Text(visible(value), style=style)
