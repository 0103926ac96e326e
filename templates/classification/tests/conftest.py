"""Tests import the experiment's modules (config, data, model, scoutkit) from the project root."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
