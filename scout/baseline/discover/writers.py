"""Which of a repo's scripts write a file another run reads: `test.py` saves `pytorch_result.mat` that
`evaluate.py` loads, a training helper makes `models/{name}` that an experiment globs for `*.pt`.
A need for an absent path that such a script writes is met by running that script first, which is
what the plan should say. Pure: text in, patterns out; the caller reads the files (bounded)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

# A call that writes a file or makes a folder, with its argument list up to the line's end.
_WRITE_CALL = re.compile(
    # The lookahead (the first letters of the calls) only skips, at once, places where none starts.
    r"(?=[tnsp.jimo])(?P<call>torch\.save|np\.save[zt]?(?:_compressed)?|numpy\.save[zt]?|savemat|\.to_csv|\.to_pickle|"
    r"\.save(?:_weights|_model|_pretrained)?|pickle\.dump|json\.dump|joblib\.dump|imwrite|\.savefig|"
    r"makedirs|mkdir|\bopen)\((?P<args>[^\n]*)"
)
_STRING = re.compile(r"""(?P<f>[fF]?)(?P<q>['"])(?P<text>[^'"\n]*)(?P=q)""")
_ASSIGN = re.compile(
    r"""^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*[fF]?(?P<q>['"])(?P<text>[^'"\n]*)(?P=q)\s*(?:#.*)?$""", re.M
)
_WRITE_MODE = re.compile(r"""['"][wax]b?\+?['"]""")


@dataclass(frozen=True)
class Written:
    script: str  # the repo-relative path of the script that writes
    pattern: str  # the path it writes, `*` where the script fills in a value at run time
    folder: bool  # makedirs/mkdir: the folder, not a file


# A field a path template fills in at run time: `{name}`, `{}`, `%s`, `%d`.
FIELD = re.compile(r"\{[^{}]*\}|%[sd]")


def template(text: str) -> str:
    """`models/{name}_{run}.pt`, `out/%s.npy` -> `models/*_*.pt`, `out/*.npy`."""
    return FIELD.sub("*", text)


def _specific(pattern: str) -> bool:
    """A pattern that names something: a written-in folder or file name of three letters or more,
    not only `*/*.pt`."""
    parts = [p for p in PurePosixPath(pattern.lstrip("./")).parts if p not in (".", "..")]
    return any(re.search(r"[A-Za-z]{3}", re.sub(r"\*|\.\w{1,5}$", "", part)) for part in parts)


def writes(script: str, text: str) -> list[Written]:
    """The paths `text` (a Python script's source) writes: a string, an f-string, or a name assigned
    one in the same file, handed to a save call, to `open(..., 'w')`, or to makedirs."""
    assigned = {m.group("name"): template(m.group("text")) for m in _ASSIGN.finditer(text)}
    found = []
    for match in _WRITE_CALL.finditer(text):
        call, args = match.group("call"), match.group("args")
        if call == "open" and not _WRITE_MODE.search(args):
            continue
        folder = call in ("makedirs", "mkdir")
        first = args.split(")")[0]
        strings = [m for m in _STRING.finditer(first) if not _WRITE_MODE.fullmatch(m.group(0))]
        if strings:
            pattern = "".join(template(m.group("text")) for m in strings)
            # `f'{model_dir}/x.pt'`: a field that is a name assigned a path in this file is that path.
            lead = re.match(r"\{(\w+)\}", strings[0].group("text")) if strings[0].group("f") else None
            if lead and lead.group(1) in assigned:
                pattern = assigned[lead.group(1)] + pattern[1:]
        else:
            names = [n for n in re.findall(r"[A-Za-z_]\w*", first) if n in assigned]
            if not names:
                continue
            pattern = assigned[names[-1]]
        if _specific(pattern) and ("/" in pattern or "." in pattern):
            found.append(Written(script, pattern.strip("'\""), folder))
    return found


def _overlap(one: str, other: str) -> bool:
    """Could two templates name the same path? Each, its fields filled in, fits the other."""
    return fnmatch.fnmatchcase(one.replace("*", "x"), other) or fnmatch.fnmatchcase(other.replace("*", "x"), one)


def _norm(path: str) -> str:
    return re.sub(r"^(?:\./)+", "", path.replace("\\", "/")).rstrip("/")


def writer_of(path: str, written: Iterable[Written]) -> str | None:
    """The script that writes `path` (a template: `models/{a}_{b}/*.pt`), or makes the folder it is in."""
    want = _norm(template(path))
    parent = str(PurePosixPath(want).parent)
    for item in written:
        have = _norm(item.pattern)
        if item.folder:
            if parent != "." and _overlap(parent, have):
                return item.script
        elif _overlap(want, have):
            return item.script
    return None
