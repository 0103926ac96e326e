"""scout: find prior work, measure the baseline to beat, scaffold the next experiment."""

__version__ = "0.1.0"
