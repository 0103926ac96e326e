"""Turn metric text as papers and logs print it ("79.2%", "1.2M", "0.57×1e-4", "85.1 ± 0.3")
into numbers, keeping percentages on one scale."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(
    rf"^\s*(?P<num>{_NUMBER})\s*(?:(?:×|x|\*)\s*(?:10\^|1e)(?P<exp>[-+]?\d+))?\s*(?P<unit>%|[kKmMbBgG])?(?![a-zA-Z])"
)
_SCALE = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}


@dataclass(frozen=True)
class MetricValue:
    value: float
    unit: str | None  # "%" for a percentage, "K"/"M"/"B" for a count that was abbreviated
    raw: str


def parse_metric_value(raw: object) -> MetricValue | None:
    """Parse one reported metric; None when the text holds no number (e.g. "-" or "n/a").

    Parenthesised or ± parts (confidence intervals, std) are dropped: the first number counts."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return MetricValue(float(raw), None, str(raw))
    text = str(raw).strip()
    match = _VALUE.match(text)
    if not match:
        return None
    number = match.group("num")
    # "1,234" is a thousands separator, "0,75" a decimal comma.
    if "," in number:
        number = number.replace(",", "") if re.search(r",\d{3}(?!\d)", number) else number.replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None
    if match.group("exp"):
        value *= 10 ** int(match.group("exp"))
    unit = match.group("unit")
    if unit and unit.lower() in _SCALE:
        value *= _SCALE[unit.lower()]
        unit = unit.upper()
    return MetricValue(value, unit, text)


def parse_number(raw: object) -> float | None:
    parsed = parse_metric_value(raw)
    return parsed.value if parsed else None
