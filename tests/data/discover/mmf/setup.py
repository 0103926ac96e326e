# From facebookresearch/pythia @ b8f4591dc0e233539a169e7319a751f3dccd2503, setup.py (excerpt), with the entry point
# written without `:func` (`name = pkg.module`), the form no dev repo happens to use.
from setuptools import setup

setup(
    name="mmf",
    entry_points={
        "console_scripts": [
            "mmf_run = mmf_cli.run",
            "mmf_predict = mmf_cli.predict:predict",
        ]
    },
)
