"""The agent skill, SKILL.md, shipped inside the package and printed by `scout skill`."""

from __future__ import annotations

from importlib.resources import files


def skill_text() -> str:
    return files("scout.mcp").joinpath("SKILL.md").read_text(encoding="utf-8")
