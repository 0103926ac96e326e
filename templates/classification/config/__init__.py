"""Configs are plain Python files of assignments, as in nanoGPT: config/default.py holds every
key with its default, another file overrides some of them, and --key=value overrides come last.

    cfg = load_config(["config/smoke.py", "--lr=1e-3"])    # cfg.lr == 0.001, cfg.name == "smoke"
"""

from __future__ import annotations

import ast
import contextlib
import runpy
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_LR = {"adamw": 3e-4, "sgd": 0.1}


def _assignments(path: Path) -> dict:
    if not path.is_file():
        raise SystemExit(f"config file {path} not found")
    names = runpy.run_path(str(path))
    return {k: v for k, v in names.items() if not k.startswith("_") and not isinstance(v, types.ModuleType)}


def load_config(argv: list[str] | tuple[str, ...] = ()) -> types.SimpleNamespace:
    values = _assignments(HERE / "default.py")
    name = "default"
    for arg in argv:
        if arg.startswith("--"):
            key, has_value, raw = arg[2:].partition("=")
            overrides = {key: raw} if has_value else None
            if overrides is None:
                raise SystemExit(f"override {arg} needs a value: --{key}=VALUE")
            with contextlib.suppress(ValueError, SyntaxError):  # a bare word such as --optimizer=sgd stays a string
                overrides[key] = ast.literal_eval(raw)
        else:
            overrides, name = _assignments(Path(arg)), Path(arg).stem
        unknown = sorted(set(overrides) - set(values))
        if unknown:
            raise SystemExit(f"unknown config key(s) {', '.join(unknown)}; config/default.py lists them all")
        values.update(overrides)
    if values["optimizer"] not in DEFAULT_LR:
        raise SystemExit(f"optimizer must be one of {', '.join(DEFAULT_LR)}, not {values['optimizer']!r}")
    if values["lr"] is None:
        values["lr"] = DEFAULT_LR[values["optimizer"]]
    return types.SimpleNamespace(name=name, **values)
