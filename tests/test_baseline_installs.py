"""What a plan installs before the evaluation: every declared file, the repo itself when it is a
package, the README's or the imports' packages when nothing is declared, the Python the repo asks
for, and a named pin when an install or import fails on code rot."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scout.baseline.discover import installs as installs_module
from scout.baseline.discover.installs import (
    distributions_for,
    plan_installs,
    python_mismatch,
    readme_packages,
    requires_python,
    without_host_torch,
)
from scout.baseline.execute.diagnose import diagnose
from scout.cli import app


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_requirements_and_the_package_itself(tmp_path):
    repo = _write(
        tmp_path,
        {
            "requirements.txt": "numpy\n",
            "requirements-dev.txt": "pytest\n",
            "setup.py": "from setuptools import setup\nsetup(name='x', python_requires='>=3.6')\n",
        },
    )
    plan = plan_installs(repo, "", "", "2019-05-01T00:00:00+00:00")
    assert plan.steps() == ("python -m pip install -r requirements.txt", "python -m pip install -e .")
    assert plan.requires_python == ">=3.6" and plan.exclude_newer.startswith("2019-05-01")


def test_a_tool_config_pyproject_is_not_a_package(tmp_path):
    repo = _write(tmp_path, {"pyproject.toml": "[tool.black]\nline-length = 100\n", "eval.py": "import numpy\n"})
    plan = plan_installs(repo, "", "", None)
    assert not plan.package and plan.inferred == ("numpy",)


def test_nothing_declared_takes_the_readme_pip_line(tmp_path):
    # The shape of many 2018 repos: a "Requirements" section with one pip line and no requirements.txt.
    readme = "## Requirements\n```\npip install torch==0.4.1 tqdm 'scipy>=1.0'  # then run\n```\n"
    repo = _write(tmp_path, {"README.md": readme, "main.py": "import cv2\n"})
    plan = plan_installs(repo, "", readme, None)
    assert plan.inferred == ("torch==0.4.1", "tqdm", "scipy>=1.0")
    assert "README" in plan.inferred_from


def test_nothing_declared_and_no_pip_line_takes_the_imports(tmp_path):
    repo = _write(
        tmp_path,
        {
            "main.py": "import os\nimport cv2\nfrom sklearn.svm import SVC\nimport yaml\nfrom models import net\n",
            "models/net.py": "import numpy as np\n",
        },
    )
    plan = plan_installs(repo, "", "", None)
    assert plan.inferred == ("PyYAML", "numpy", "opencv-python", "scikit-learn")
    assert "imports" in plan.inferred_from


def test_readme_pip_lines_skip_editable_and_requirement_files():
    text = "pip install -r requirements.txt\npip install -e .\n$ pip install gym[atari]\n"
    assert readme_packages(text) == ["gym[atari]"]


def test_distribution_names():
    assert distributions_for({"PIL", "skimage", "pkg_resources", "torch"}) == ["Pillow", "scikit-image", "torch"]


def test_requires_python_from_each_declaration(tmp_path):
    pyproject = '[project]\nrequires-python = ">=3.8"\n'
    assert requires_python(_write(tmp_path / "a", {"pyproject.toml": pyproject})) == ">=3.8"
    assert requires_python(_write(tmp_path / "b", {"setup.cfg": "[options]\npython_requires = >=3.6, <3.8\n"})) == (
        ">=3.6, <3.8"
    )
    assert requires_python(_write(tmp_path / "c", {"setup.py": "setup(python_requires='~=3.7')"})) == "~=3.7"
    assert python_mismatch(">=3.6,<3.8", (3, 11)) and not python_mismatch(">=3.8", (3, 11))
    assert not python_mismatch("not a spec", (3, 11)) and not python_mismatch(None)


def test_host_torch_is_kept():
    text, notes = without_host_torch("torch==1.4.0\ntorchvision>=0.5\nnumpy\n")
    assert text == "numpy\n" and len(notes) == 2


def test_plan_lists_installs_and_a_python_it_cannot_find(tmp_path, monkeypatch, make_git_repo):
    monkeypatch.setattr(installs_module, "find_python", lambda spec: None)
    monkeypatch.setattr("scout.baseline.discover.plan.find_python", lambda spec: None)
    old = ".".join(map(str, sys.version_info[:2]))
    repo = make_git_repo(
        "old",
        {
            "requirements.txt": "numpy\n",
            "setup.py": f"from setuptools import setup\nsetup(name='old', python_requires='<{old}')\n",
            "eval.py": "print('accuracy: 0.5')\n",
        },
    )
    result = CliRunner().invoke(
        app, ["baseline", "--repo", str(repo), "--plan", "--json", "--cache-dir", str(tmp_path / "cache")]
    )
    [plan] = json.loads(result.stdout)["plans"]
    assert plan["setup"][:2] == ["python -m pip install -r requirements.txt", "python -m pip install -e ."]
    [need] = [n for n in plan["needs"] if n["kind"] == "system"]
    assert f"requires Python <{old}" in need["detail"]


@pytest.mark.parametrize(
    ("line", "pin"),
    [
        ("AttributeError: module 'numpy' has no attribute 'float'.", "numpy<1.24"),
        ("_pickle.UnpicklingError: Weights only load failed. This file can still be loaded", "torch<2.6"),
        ("ImportError: cannot import name 'Iterable' from 'collections' (/usr/lib/python3.10/collections/__init__.py)",
         "Python < 3.10"),
        ("ModuleNotFoundError: No module named 'torch._six'", "torch<2"),
        ("ImportError: cannot import name 'imread' from 'scipy.misc' (/x/scipy/misc/__init__.py)", "scipy<1.2"),
        ("AttributeError: module 'tensorflow' has no attribute 'placeholder'", "tensorflow<2"),
        ("TypeError: load() missing 1 required positional argument: 'Loader'", "PyYAML<6"),
        ("ERROR: Could not find a version that satisfies the requirement torch==0.4.1 (from versions: 2.2.0)",
         "torch==0.4.1"),
    ],
)  # fmt: skip
def test_code_rot_names_the_pin(line, pin):
    assert pin in diagnose(f'Traceback (most recent call last):\n  File "x.py", line 1\n{line}\n')


@pytest.mark.slow
def test_the_package_is_installed_so_its_console_script_runs(tmp_path, monkeypatch, make_git_repo):
    # requirements.txt beside setup.py used to install only the requirements, so the console script
    # the README runs was missing (exit 127).
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_NO_BUILD_ISOLATION", "0")  # offline: build with the host's setuptools
    repo = make_git_repo(
        "pkg",
        {
            "requirements.txt": "numpy\n",
            "setup.py": (
                "from setuptools import setup\n"
                "setup(name='tinyeval', py_modules=['tinyeval'],\n"
                "      entry_points={'console_scripts': ['tinyeval = tinyeval:main']})\n"
            ),
            "tinyeval.py": "def main():\n    print('accuracy: 0.875')\n",
        },
    )
    cache = tmp_path / "cache"
    result = CliRunner().invoke(
        app,
        ["baseline", "--yes", "--repo", str(repo), "--cmd", "tinyeval", "--cache-dir", str(cache)]
        + ["--pass-env", "PIP_NO_INDEX", "--pass-env", "PIP_NO_BUILD_ISOLATION", "--json"],
    )
    [run] = json.loads(result.stdout)["runs"]
    assert run["status"] == "ok", Path(run["log"]).read_text()[-3000:]
    assert run["metrics"] == {"accuracy": 0.875}
