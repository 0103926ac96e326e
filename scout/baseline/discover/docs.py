"""Read a repo's documentation the way a researcher does: every README variant, the docs they link
and docs/*.md, split into sections, with the shell commands of fenced, indented and inline code.

Pure text work on files already checked out; nothing here runs anything."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

_MAX_DOCS = 40
_MAX_DOC_BYTES = 400_000
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".mdx", "")
# Extra top-level guides many research repos keep beside the README.
_GUIDE = re.compile(
    r"^(readme|getting[_-]?started|install|training|train|eval|evaluation|finetune|pretrain|"
    r"reproduc\w*|results|model[_-]?zoo|usage|benchmark\w*|inference|data|dataset\w*)"
    r"([_\-.].*)?\.(md|rst|txt)$",
    re.IGNORECASE,
)
_MD_LINK = re.compile(r"\]\(\s*<?([^)>\s#]+\.(?:md|rst|mdx))(?:#[^)]*)?>?\s*\)|href=\"([^\"#]+\.(?:md|rst))\"")
_FENCE_OPEN = re.compile(r"^\s*(```+|~~~+)")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HTML_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE)
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'#*+])\1{2,}\s*$")
_MD_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_INLINE = re.compile(r"(?<!`)`([^`\n]{4,400})`(?!`)")
_PROMPT = re.compile(r"^(?:\(\w[\w.-]*\)\s*)?(?:[\w@.-]*[$#%>]\s+|\$|!|%)")
# The programs a run or setup command starts with.
_LAUNCHERS = (
    r"python3?(?:\.\d+)?|torchrun|accelerate\s+launch|deepspeed|bash|sh|jupyter|papermill|pytest|"
    r"srun|make|\./[\w./-]+\.(?:sh|py)|[\w./-]+\.sh"
)
_COMMAND = re.compile(
    rf"^(?:(?:[A-Z_][A-Z0-9_]*=\S*)\s+)*(?:(?:{_LAUNCHERS})\s+\S|(?:\./)?[\w./-]+\.sh\b)",
)
_CD = re.compile(r"^cd\s+(\S+)\s*$")


@dataclass(frozen=True)
class DocCommand:
    """A command written in a doc, with where it was and what the doc said to do just before."""

    command: str
    cwd: str  # folder to run it in, relative to the repo ("" for the root)
    doc: str  # path of the doc, relative to the repo
    section: str  # the heading it sits under ("" before the first one)
    inline: bool  # `code` in running text, not a code block
    index: int  # position among all the doc commands of the repo (reading order)


@dataclass(frozen=True)
class Doc:
    path: str
    text: str


def _is_doc(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in _DOC_SUFFIXES and path.stat().st_size <= _MAX_DOC_BYTES


def _readme_rank(name: str) -> tuple:
    lower = name.lower()
    return (not lower.startswith("readme."), not lower.startswith("readme"), lower)


def find_docs(repo_dir: Path) -> list[Doc]:
    """The README first, then its variants and guides, then the docs they link, then docs/*.md."""
    top = sorted(
        (p for p in repo_dir.iterdir() if _is_doc(p) and (_GUIDE.match(p.name) or p.name.lower() == "readme")),
        key=lambda p: _readme_rank(p.name),
    )
    ordered: list[Path] = list(top)
    queue = list(top)
    while queue and len(ordered) < _MAX_DOCS:
        doc = queue.pop(0)
        for match in _MD_LINK.finditer(_read(doc)):
            link = match.group(1) or match.group(2)
            if "://" in link:
                continue
            target = (doc.parent / link).resolve()
            try:
                target.relative_to(repo_dir.resolve())
            except ValueError:
                continue
            if _is_doc(target) and target not in ordered:
                ordered.append(target)
                queue.append(target)
    docs_dir = repo_dir / "docs"
    if docs_dir.is_dir():
        ordered += [p for p in sorted(docs_dir.glob("*.md")) if _is_doc(p) and p.resolve() not in ordered]
    return [Doc(str(p.resolve().relative_to(repo_dir.resolve())), _read(p)) for p in ordered[:_MAX_DOCS]]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _clean(line: str) -> str:
    line = _PROMPT.sub("", line.strip(), count=1).strip()
    # A trailing "# webcam" comment is the doc talking, not the command.
    line = re.sub(r"\s+#(?![^'\"]*['\"]\s*$).*$", "", line)
    return re.sub(r"\s+", " ", line).strip()


def split_command(line: str, cwd: str, programs: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """`cd DIR && chmod +x x.sh && ./x.sh` -> ("chmod +x x.sh && ./x.sh", "DIR"). None when no
    part of the line starts a program scout knows."""
    parts = [part.strip() for part in line.split("&&")]
    while parts:
        cd = _CD.match(parts[0])
        if not cd:
            break
        cwd = _join(cwd, cd.group(1))
        parts.pop(0)
    rest = " && ".join(parts)
    if not rest:
        return None, cwd
    first = re.sub(r"^chmod\s+\S+\s+\S+\s*&&\s*", "", rest)
    own = bool(programs) and first.split(" ", 1)[0] in programs and " " in first
    return (rest if own or _COMMAND.match(first) else None), cwd


def _join(cwd: str, folder: str) -> str:
    folder = folder.strip("'\"").rstrip("/")
    if folder in ("", "."):
        return cwd
    parts = [p for p in f"{cwd}/{folder}".split("/") if p and p != "."]
    out: list[str] = []
    for part in parts:
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/".join(out)


def _block_commands(lines: list[str], programs: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(command, cwd) pairs of one code block; `cd DIR` on its own line moves later commands."""
    joined = re.sub(r"\\\s*\n\s*", " ", "\n".join(lines))
    found, cwd, cloned = [], "", False
    for raw in joined.splitlines():
        line = _clean(raw)
        if not line:
            continue
        if re.match(r"^git\s+clone\b", line):
            cloned = True  # the `cd` after it enters the checkout itself: scout's repo root
            continue
        cd = _CD.match(line)
        if cd:
            cwd = "" if cloned else _join(cwd, cd.group(1))
            cloned = False
            continue
        command, where = split_command(line, cwd, programs)
        if command:
            found.append((command, where))
    return found


def doc_commands(doc: Doc, start: int = 0, programs: tuple[str, ...] = ()) -> list[DocCommand]:
    """Every command of a doc in reading order: fenced, indented and HTML <pre> blocks and inline
    code. `programs` are the console scripts the repo itself installs (`lm_eval ...`)."""
    out: list[DocCommand] = []
    section = ""
    text = re.sub(r"</?pre[^>]*>", "\n```\n", doc.text, flags=re.IGNORECASE)
    lines = re.sub(r"</?code>", "`", text).splitlines()
    underline = _RST_UNDERLINE if doc.path.endswith(".rst") else _MD_UNDERLINE
    i = 0

    home = str(Path(doc.path).parent).replace(".", "", 1) if "/" not in doc.path else str(Path(doc.path).parent)

    def add(pairs, inline):
        for command, cwd in pairs:
            cwd = _join(home, cwd) if home else cwd
            out.append(DocCommand(command, cwd, doc.path, section, inline, start + len(out)))

    while i < len(lines):
        line = lines[i]
        fence = _FENCE_OPEN.match(line)
        if fence:
            marker = fence.group(1)
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(marker[:3]):
                j += 1
            add(_block_commands(lines[i + 1 : j], programs), False)
            i = j + 1
            continue
        heading = _MD_HEADING.match(line) or _HTML_HEADING.search(line)
        if heading:
            section = _strip_markup(heading.group(heading.lastindex))
        elif i + 1 < len(lines) and line.strip() and underline.match(lines[i + 1]):
            section = _strip_markup(line)
        if re.match(r"^(?: {4}|\t)\S", line):
            j = i
            while j < len(lines) and (re.match(r"^(?: {4}|\t)", lines[j]) or not lines[j].strip()):
                j += 1
            add(_block_commands(lines[i:j], programs), False)
            i = j
            continue
        add([split_command(_clean(m.group(1)), "", programs) for m in _INLINE.finditer(line)], True)
        out[:] = [c for c in out if c.command]
        i += 1
    return out


def _strip_markup(text: str) -> str:
    return re.sub(r"<[^>]+>|[*_`]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text).strip()


def notebooks_named(docs: list[Doc], repo_dir: Path) -> list[str]:
    """Notebooks of the checkout that a doc names, in the order the docs name them."""
    names: list[str] = []
    for doc in docs:
        for match in re.finditer(r"([\w./-]+\.ipynb)\b", doc.text):
            name = match.group(1).lstrip("./")
            if "/blob/" in name:
                name = name.split("/blob/", 1)[1].split("/", 1)[-1]
            if (repo_dir / name).is_file() and name not in names:
                names.append(name)
    return names


def console_scripts(repo_dir: Path) -> tuple[str, ...]:
    """The commands the repo installs: [project.scripts] of pyproject.toml, console_scripts of setup.py."""
    names: list[str] = []
    pyproject = repo_dir / "pyproject.toml"
    if pyproject.is_file():
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(_read(pyproject))
        except tomllib.TOMLDecodeError:
            data = {}
        names += list(data.get("project", {}).get("scripts", {}))
    setup = _read(repo_dir / "setup.py") if (repo_dir / "setup.py").is_file() else ""
    names += re.findall(r"['\"]\s*([\w.-]+)\s*=\s*[\w.]+:\w+", setup)
    return tuple(dict.fromkeys(names))
