"""Read a repo's documentation the way a researcher does, losing nothing: every README variant, the
docs they link or name in inline code (`see sub/README.md`), and the conventional guides (docs/,
GETTING_STARTED, a sub-README one folder down). Markdown goes through a real parser (markdown-it):
fenced blocks (one-line fences included), indented code, inline code, HTML `<pre>`, each with the
heading path it sits under and the prose just before it. .rst and .txt docs are read simply.

Pure text work on files already checked out, bounded in bytes and files; nothing here runs anything."""

from __future__ import annotations

import codecs
import html
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

_MAX_DOCS = 16
_MAX_DOC_BYTES = 200_000  # a 10 MB README is read as its first 200 kB
_MAX_TOTAL_BYTES = 800_000
_SITE_PAGES = 8  # pages read from one docs folder
_SITE_ENTRIES = 2_000
_DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".rst", ".txt", "")
_CONTEXT_CHARS = 300
# Guides many research repos keep beside the README, or in docs/.
_GUIDE = re.compile(
    r"^(readme|getting[_-]?started|quick[_-]?start|install\w*|train\w*|eval\w*|test\w*|finetun\w*|pretrain\w*|"
    r"reproduc\w*|results|model[_-]?zoo|usage|benchmark\w*|inference|experiments?|run\w*|instructions?|"
    r"tutorial\w*|howto|guide)([_\-.].*)?\.(md|markdown|rst|txt)$",
    re.IGNORECASE,
)
_SUB_READMES = ("README.md", "readme.md", "Readme.md", "ReadMe.md", "README.rst", "README.markdown")
_DOC_NAME = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:md|markdown|rst))\b")
# A link to a file of a GitHub repo, on github.com or a GitHub Enterprise host (github.tamu.edu:
# aditya30394/Person-Re-Identification's README points to its own deep-person-reid/README.md so).
_BLOB = re.compile(r"github(?:\.[\w-]+)+/[\w.-]+/[\w.-]+/(?:blob|tree)/[^/\s]+/([^\s)#?\"']+)")
_PRE = re.compile(r"<pre[^>]*>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
_HTML_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"href=[\"']([^\"'#]+)", re.IGNORECASE)
# Arguments may hold dots (`--config example_config.yaml`); a sentence's last word ends with one.
_TEXT_COMMAND = re.compile(
    r"^\s*(?:\$\s+)?(?:[A-Z_]+=\S+\s+)*(?:python[\d.]*|bash|sh|th|julia|Rscript|torchrun)\s+[\w./-]+\.(?:py|sh|lua|jl|R)\b"
    r"(?:\s+[^\s,;]*[^\s,;.:])*\s*$"
)
# A script named in running text or inline code ("run the Main.m", "use `benchmark_kitti.py` to"):
# not a command, but where the docs name a script says what the script is for.
_SCRIPT_NAME = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:py|sh|m|lua|jl|R|ipynb))(?![\w/-])")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:[\w-]+:[^\n]*\n|[ \t#-][^\n]*\n|\n){0,60}?---[ \t]*\n")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'#*+`:.])\1{2,}\s*$")


@dataclass(frozen=True)
class Snippet:
    """One piece of code a doc shows: a block, or inline code in running text."""

    text: str
    inline: bool  # `code` in a paragraph (a paragraph that is only code counts as a block)
    section: tuple[str, ...]  # the heading path it sits under
    context: str  # the prose just before it
    order: int  # position in the doc
    after: str = ""  # the prose just after it ("Expected result: 2.63% test error")


@dataclass(frozen=True)
class Doc:
    path: str  # relative to the repo root
    text: str
    snippets: tuple[Snippet, ...] = ()
    links: tuple[str, ...] = ()  # docs it links or names, as written
    headings: tuple[str, ...] = ()
    mentions: tuple[Snippet, ...] = ()  # scripts named in its text or inline code (text: the name,
    # context: the paragraph that names it)

    @property
    def folder(self) -> str:
        parent = str(Path(self.path).parent)
        return "" if parent == "." else parent


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def read_text(path: Path, limit: int = _MAX_DOC_BYTES) -> str:
    """The first `limit` bytes of a file as text; "" for a binary file or one that cannot be read.
    A byte-order mark says the encoding (Windows editors save READMEs as UTF-16); text that is not
    UTF-8 is read as Latin-1, so an accented word costs that word, not the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit)
    except OSError:
        return ""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding:
        return data.decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        return ""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3:  # the limit cut a character in two
            return data[: error.start].decode("utf-8", errors="replace")
        return data.decode("latin-1")


def _is_doc(path: Path) -> bool:
    try:
        return path.is_file() and path.suffix.lower() in _DOC_SUFFIXES
    except OSError:
        return False


def _readme_rank(name: str) -> tuple:
    lower = name.lower()
    return (not lower.startswith("readme"), lower.endswith((".txt", "")) and "." not in lower, len(lower), lower)


def _readable_doc(name: str) -> bool:
    """A linked file worth reading as a doc: Markdown or reST, or a guide or README by its name."""
    return name.lower().endswith((".md", ".markdown", ".mdx", ".rst")) or bool(
        _GUIDE.match(name + ("" if "." in name else ".txt"))
    )


def within(repo: Path, path: Path) -> bool:
    """Is `path`, its symlinks followed, inside `repo`? A checkout's file that links out of it is
    not read."""
    try:
        path.resolve().relative_to(repo.resolve())
    except (ValueError, OSError, RuntimeError):  # outside, unreadable, or a symlink loop (Python < 3.13)
        return False
    return True


def _linked(repo: Path, doc: Doc) -> list[Path]:
    """The docs a doc points to: links, href, GitHub blob links to files of the repo, and names in
    text or inline code, resolved against the doc's folder and then the repo root."""
    out = []
    for link in doc.links:
        link = link.strip().split("#", 1)[0].split("?", 1)[0]
        blob = _BLOB.search(link)
        if blob:
            link = blob.group(1)
        elif "://" in link or link.startswith(("mailto:", "#")) or not link:
            continue
        for base in (repo / doc.folder, repo):
            target = repo / link.lstrip("/") if link.startswith("/") else base / link
            if target.is_dir():
                target = next(
                    (target / n for n in ("README.md", "readme.md", "README.rst") if (target / n).is_file()), target
                )
            if _is_doc(target) and within(repo, target) and _readable_doc(target.name):
                out.append(target.resolve())
                break
    return out


def linked_docs(repo_dir: Path, docs: tuple[Doc, ...] | list[Doc]) -> frozenset[str]:
    """The docs (repo-relative paths) that another doc links or names: a sub-README the README points
    to ("READ THIS FOR MORE INFORMATION: [Pose Normalized Training](deep-person-reid/README.md)"), not
    one read only because it sits one folder down."""
    repo = repo_dir.resolve()
    found = set()
    for doc in docs:
        for target in _linked(repo, doc):
            path = target.relative_to(repo).as_posix()
            if path != doc.path:
                found.add(path)
    return frozenset(found)


def _site_pages(base: Path) -> list[Path]:
    """The pages of a docs folder, a docs site's sections included (`website/docs/getting_started/
    quickstart.md`): guides first, then the shallowest, at most _SITE_PAGES. Bounded: a docs folder
    of thousands of images costs _SITE_ENTRIES entries read."""
    pages: list[Path] = []
    folders, seen = [(base, 0)], 0
    while folders and seen < _SITE_ENTRIES:
        folder, depth = folders.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries[:_SITE_ENTRIES]:
            seen += 1
            if entry.name.startswith((".", "_")):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False) and depth < 2:
                folders.append((path, depth + 1))
            elif path.suffix.lower() in (".md", ".rst") and _is_doc(path):
                pages.append(path)
    return sorted(pages, key=lambda p: (not _GUIDE.match(p.name), len(p.relative_to(base).parts), str(p)))[:_SITE_PAGES]


def find_docs(repo_dir: Path) -> list[Doc]:
    """The README first, then its variants and guides, then the docs they point to (breadth first),
    then the conventional ones (docs/, a sub-README one folder down), at most _MAX_DOCS."""
    repo = repo_dir.resolve()
    try:
        top = [p for p in repo.iterdir() if _is_doc(p)]
    except OSError:
        return []
    top = [p for p in top if within(repo, p)]  # a README linked to a file outside the checkout is not read
    readmes = sorted((p for p in top if p.name.lower().startswith("readme")), key=lambda p: _readme_rank(p.name))
    guides = sorted(p for p in top if _GUIDE.match(p.name) and p not in readmes)
    conventional: list[Path] = []
    for folder in ("docs", "doc", "documentation", "website/docs"):
        conventional += _site_pages(repo / folder)
    try:
        subs = sorted(p for p in repo.iterdir() if p.is_dir() and not p.name.startswith("."))[:60]
    except OSError:
        subs = []
    for sub in subs:
        conventional += [sub / n for n in _SUB_READMES if (sub / n).is_file()][:1]
    conventional = [p for p in conventional if within(repo, p)]
    queue: list[Path] = [p.resolve() for p in readmes + guides]
    seen: set[Path] = set()
    docs: list[Doc] = []
    total = 0
    while (queue or conventional) and len(docs) < _MAX_DOCS and total < _MAX_TOTAL_BYTES:
        path = queue.pop(0) if queue else conventional.pop(0).resolve()
        if path in seen:
            continue
        seen.add(path)
        text = read_text(path)
        total += len(text)
        doc = parse_doc(str(path.relative_to(repo)), text)
        docs.append(doc)
        queue += [p for p in _linked(repo, doc) if p not in seen]
    return docs


def parse_doc(path: str, text: str) -> Doc:
    suffix = Path(path).suffix.lower()
    if suffix == ".rst":
        return _parse_rst(path, text)
    if suffix == ".txt" or (suffix == "" and not re.search(r"^#|```", text, re.M)):
        return Doc(
            path, text, (Snippet(text, False, (), "", 0),) if text.strip() else (), tuple(_DOC_NAME.findall(text))
        )
    # A docs site's page opens with YAML front matter (`---`, `id: x`, `title: y`, `---`), which
    # Markdown reads as a heading over the whole page: blanked, lines kept.
    front = _FRONT_MATTER.match(text)
    if front:
        text = "\n" * front.group(0).count("\n") + text[front.end() :]
    return _parse_markdown(path, text)


@lru_cache(maxsize=1)
def markdown_parser():
    """CommonMark with inline HTML and pipe tables: how scout reads a doc's Markdown (docs here,
    result tables in scout.baseline.measure.doctables)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


def _strip_html(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _parse_markdown(path: str, text: str) -> Doc:
    try:
        tokens = markdown_parser().parse(text)
    except Exception:  # noqa: BLE001 - a parser failure on odd input must not stop the plan
        return Doc(path, text)
    snippets: list[Snippet] = []
    links: list[str] = []
    section: list[tuple[int, str]] = []
    headings: list[str] = []
    prose = ""  # since the last block: the context of the next snippet
    said: list[str] = []  # all the prose, for what follows each snippet
    offsets: list[int] = []

    def say(text: str) -> None:
        nonlocal prose
        prose += text
        said.append(text)

    mentions: list[Snippet] = []

    def mention(text: str, paragraph: str) -> None:
        for name in _SCRIPT_NAME.findall(text)[:20]:
            heads = tuple(title for _, title in section)
            mentions.append(Snippet(name.removeprefix("./"), True, heads, paragraph[:_CONTEXT_CHARS], len(mentions)))

    def add(code: str, inline: bool) -> None:
        if code.strip():
            heads = tuple(title for _, title in section)
            snippets.append(Snippet(code, inline, heads, prose[-_CONTEXT_CHARS:].strip(), len(snippets)))
            offsets.append(len(said))

    def heading(level: int, title: str) -> None:
        nonlocal prose
        while section and section[-1][0] >= level:
            section.pop()
        section.append((level, title.strip()))
        headings.append(title.strip())
        prose = ""  # a snippet's context is the prose of its own section: the last one's is about something else
        say(" " + title.strip() + ".")

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and i + 1 < len(tokens):
            heading(int(token.tag[1]), _strip_html(tokens[i + 1].content))
            i += 3
            continue
        if token.type in ("fence", "code_block"):
            add(token.content, False)
            prose = ""
        elif token.type == "html_block":
            for level, title in _HTML_HEADING.findall(token.content):
                heading(int(level), _strip_html(title))
            for block in _PRE.findall(token.content):
                add(_strip_html(block), False)
            links += _HREF.findall(token.content)
            words = _strip_html(_PRE.sub("", token.content)).strip()
            if words:
                say(" " + words)
        elif token.type == "inline":
            children = token.children or []
            codes = [c for c in children if c.type == "code_inline"]
            others = [c for c in children if c.type not in ("code_inline", "softbreak", "hardbreak")]
            alone = (
                bool(codes)
                and not any(c.content.strip() for c in others if c.type == "text")
                and not any(c.type == "link_open" for c in others)
            )
            for child in children:
                if child.type == "code_inline":
                    # ```cmd``` on one line is a fence written short: a block, not inline code.
                    add(child.content, not alone and len(child.markup) < 3)
                    if " " not in child.content.strip():
                        mention(child.content.strip(), token.content)
                    links += _DOC_NAME.findall(child.content)
                elif child.type == "link_open":
                    links.append(str(child.attrs.get("href", "")))
                elif child.type in ("text", "html_inline"):
                    mention(child.content, token.content)
                    say(child.content)
                    links += _HREF.findall(child.content) if child.type == "html_inline" else []
            links += _DOC_NAME.findall(token.content)
            if not codes:
                # A command written as a plain line of text: "python train.py" on a line of its own.
                for line in token.content.splitlines():
                    if _TEXT_COMMAND.match(line):
                        add(line, False)
            say(" ")
        i += 1
    ends = [*offsets[1:], len(said)]
    snippets = [
        replace(snippet, after="".join(said[offset : min(end, offset + 12)]).strip()[:_CONTEXT_CHARS])
        for snippet, offset, end in zip(snippets, offsets, ends)
    ]
    return Doc(path, text, tuple(snippets), tuple(dict.fromkeys(links)), tuple(headings), tuple(mentions))


def _parse_rst(path: str, text: str) -> Doc:
    """Headings (a line underlined with punctuation), literal blocks (after `::` or a
    `.. code-block::` directive, indented) and inline ``code``."""
    lines = text.splitlines()
    snippets: list[Snippet] = []
    levels: list[str] = []
    section: list[str] = []
    headings: list[str] = []
    prose = ""
    expect_block = False
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _RST_UNDERLINE.match(nxt) and len(nxt.strip()) >= len(line.strip()) - 1:
            char = nxt.strip()[0]
            if char not in levels:
                levels.append(char)
            level = levels.index(char)
            section = section[:level] + [line.strip()]
            headings.append(line.strip())
            prose = " " + line.strip() + "."
            i += 2
            continue
        if expect_block and line.strip() and re.match(r"^\s+\S", line):
            indent = len(line) - len(line.lstrip())
            block = []
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) >= indent):
                if not re.match(r"^\s*:\w+:", lines[i]):
                    block.append(lines[i][indent:])
                i += 1
            snippets.append(
                Snippet("\n".join(block), False, tuple(section), prose[-_CONTEXT_CHARS:].strip(), len(snippets))
            )
            prose, expect_block = "", False
            continue
        if re.match(r"^\s*\.\.\s+(code-block|code|sourcecode|prompt)::", line) or line.rstrip().endswith("::"):
            expect_block = True
        elif line.strip() and not re.match(r"^\s*:\w+:", line):
            expect_block = False
        for code in re.findall(r"``([^`]+)``", line):
            snippets.append(Snippet(code, True, tuple(section), prose[-_CONTEXT_CHARS:].strip(), len(snippets)))
        prose += " " + line.strip()
        i += 1
    links = re.findall(r"<([^<>\s]+\.(?:rst|md))>`_", text) + _DOC_NAME.findall(text)
    return Doc(path, text, tuple(snippets), tuple(dict.fromkeys(links)), tuple(headings))


def notebooks_named(docs: list[Doc], repo_dir: Path) -> list[str]:
    """Notebooks of the checkout that a doc names, in the order the docs name them."""
    names: list[str] = []
    for doc in docs:
        for match in re.finditer(r"([\w./%-]+\.ipynb)\b", doc.text[:_MAX_DOC_BYTES]):
            name = match.group(1)
            if "/blob/" in name:
                name = name.split("/blob/", 1)[1].split("/", 1)[-1]
            name = name.removeprefix("./")
            for base in (doc.folder, ""):
                rel = f"{base}/{name}" if base else name
                if (repo_dir / rel).is_file() and rel not in names:
                    names.append(rel)
                    break
    return names
