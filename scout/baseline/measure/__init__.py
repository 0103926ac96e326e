"""From a finished process to numbers: the metrics its output and files report."""
