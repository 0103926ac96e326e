"""What a plan installs before the evaluation: every declared file, the repo itself when it is a
package, the README's or the imports' packages when nothing is declared, the Python the repo asks
for, and a named pin when an install or import fails on code rot."""

from __future__ import annotations

import json
import os
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
from tests.cli_helpers import documented


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
        documented(
            {
                "requirements.txt": "numpy\n",
                "setup.py": f"from setuptools import setup\nsetup(name='old', python_requires='<{old}')\n",
                "eval.py": "print('accuracy: 0.5')\n",
            }
        ),
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


ENVIRONMENT_YML = """\
# conda env create -f environment.yml
name: tiny
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.9
  - pytorch=1.13
  - cudatoolkit=11.7
  - pip
  - pip:
      - --extra-index-url https://download.pytorch.org/whl/cu117
      - -r requirements-extra.txt
      - timm==0.6.12
      - git+https://github.com/openai/CLIP.git
      - einops
"""


def test_a_conda_file_gives_its_pip_list_and_nothing_conda_installs(tmp_path):
    repo = _write(tmp_path / "yml", {"environment.yml": ENVIRONMENT_YML, "eval.py": "import timm\n"})
    installs = plan_installs(repo, "", "", None)
    # Conda's own packages (python, pytorch, cudatoolkit) and pip's options are not pip's to install.
    assert installs.conda_pip == ("timm==0.6.12", "git+https://github.com/openai/CLIP.git", "einops")
    assert installs.declared and installs.inferred == () and installs.requirement_files == ()
    assert installs.steps() == ("python -m pip install timm==0.6.12 git+https://github.com/openai/CLIP.git einops",)
    # The other names conda files go by; the first one found is read.
    for name in ("environment.yaml", "env.yml", "conda.yaml"):
        other = _write(tmp_path / name, {name: "dependencies:\n  - pip:\n    - einops\n"})
        assert plan_installs(other, "", "", None).conda_pip == ("einops",)
    both = _write(tmp_path / "both", {"environment.yml": ENVIRONMENT_YML, "requirements.txt": "numpy\n"})
    assert plan_installs(both, "", "", None).steps()[0] == "python -m pip install -r requirements.txt"


@pytest.mark.parametrize(
    "text",
    [
        "name: tiny\ndependencies:\n",  # conda accepts an empty list written this way
        "name: tiny\ndependencies:\n  - numpy\n  - pip:\n",
        "dependencies: numpy\n",
        "- just\n- a list\n",
        "name: [unclosed\n",
        "",
    ],
)
def test_a_conda_file_without_a_pip_list_falls_back_to_the_imports(tmp_path, text):
    repo = _write(tmp_path, {"environment.yml": text, "eval.py": "import einops\n"})
    installs = plan_installs(repo, "", "", None)
    assert installs.conda_pip == () and installs.inferred == ("einops",)


def _add_wheel(repo: Path, name: str, version: str, modules: dict[str, str]) -> str:
    """Build a real pure-Python wheel of `modules` into repo/wheels; returns its path in the repo."""
    import base64
    import hashlib
    import zipfile

    dist = f"{name}-{version}.dist-info"
    files = {
        **modules,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: scout-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    wheel = repo / "wheels" / f"{name}-{version}-py3-none-any.whl"
    wheel.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in {**files, f"{dist}/RECORD": "\n".join(record) + "\n"}.items():
            archive.writestr(path, text)
    return str(wheel.relative_to(repo))


def _commit(repo: Path, message: str) -> None:
    import os
    import subprocess

    identity = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for argv in (["git", "add", "-A"], ["git", "commit", "-qm", message]):
        subprocess.run(argv, cwd=repo, env={**os.environ, **identity}, check=True)


@pytest.mark.slow
def test_a_repo_set_up_by_its_environment_yml(tmp_path, monkeypatch, make_git_repo):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # offline: the pip list names a wheel the repo carries
    eval_py = "import sys, tinyscore\nprint('prefix', sys.prefix)\nprint('accuracy:', tinyscore.SCORE)\n"
    good = make_git_repo("condaenv", documented({"eval.py": eval_py}))
    wheel = _add_wheel(good, "tinyscore", "1.0", {"tinyscore/__init__.py": "SCORE = 0.875\n"})
    (good / "environment.yml").write_text(
        "name: tiny\ndependencies:\n  - python=3.11\n  - numpy>=1.20\n  - pip\n"
        f"  - pip:\n    - --no-index\n    - ./{wheel}\n"
    )
    _commit(good, "a conda file whose pip list installs the wheel")
    broken = make_git_repo(
        "condabroken",
        documented(
            {
                "eval.py": "print('accuracy: 1.0')\n",
                "environment.yml": "dependencies:\n  - pip:\n    - no-such-dist-xyz==1.0\n",
            }
        ),
    )
    cache = tmp_path / "cache"
    result = CliRunner().invoke(
        app,
        ["baseline", "--yes", "--cache-dir", str(cache), "--repo", str(good), "--repo", str(broken)]
        + ["--pass-env", "PIP_NO_INDEX", "--json"],
    )
    runs = {Path(r["repo"]).name: r for r in json.loads(result.stdout)["runs"]}
    log = Path(runs["condaenv"]["log"]).read_text()
    assert runs["condaenv"]["status"] == "ok", log[-3000:]
    assert runs["condaenv"]["metrics"] == {"accuracy": 0.875}
    assert f"prefix {cache / 'envs'}" in log  # it ran in the venv the conda file's pip list set up
    [install] = [
        line for line in log.splitlines() if line.startswith("[scout] $") and "pip" in line and "install" in line
    ]
    assert install.endswith(f"install --disable-pip-version-check ./{wheel}")  # conda's packages are not pip's
    assert runs["condabroken"]["status"] == "failed"
    assert "installing the conda file's pip packages failed" in runs["condabroken"]["message"]


def test_a_committed_venv_and_a_dangling_link_are_not_the_repos_imports(tmp_path):
    # rupes438/CodeGen (dev corpus) commits a Python 2.7 virtualenv whose stdlib files are links into
    # its author's machine: planning it raised FileNotFoundError.
    repo = _write(
        tmp_path,
        {"main.py": "import numpy\n", "venv/lib/python2.7/site-packages/six.py": "import winreg_only_here\n"},
    )
    (repo / "venv/lib/python2.7/stat.py").symlink_to("/usr/lib/python2.7/stat.py")
    assert plan_installs(repo, "", "", None).inferred == ("numpy",)


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_find_python_reads_versions_off_paths_and_skips_pyenv_shims(tmp_path, monkeypatch):
    # This machine's own layout: pyenv with 2.7 to 3.13 under versions/, and shims on PATH that run
    # only the global version (uv gives up on them: "pyenv: python3.6: command not found").
    pyenv = tmp_path / "pyenv"
    old = _program(pyenv / "versions" / "3.8.18" / "bin" / "python")
    _program(pyenv / "versions" / "2.7.18" / "bin" / "python")
    _program(pyenv / "versions" / "miniconda3-4.7.12" / "bin" / "python")
    _program(pyenv / "shims" / "python3.7")
    uv_store = tmp_path / "uv" / "python"
    managed = _program(uv_store / "cpython-3.7.20-linux-x86_64-gnu" / "bin" / "python3")
    path_python = _program(tmp_path / "bin" / "python3.9")
    _program(tmp_path / "bin" / "python3.9-config")
    monkeypatch.setenv("PYENV_ROOT", str(pyenv))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(uv_store))
    monkeypatch.setenv("PATH", os.pathsep.join([str(pyenv / "shims"), str(tmp_path / "bin")]))
    monkeypatch.setattr(installs_module, "uv_binary", lambda: None)  # only what the names say
    assert installs_module.find_python(">=3.6, <3.9") == str(old)  # the newest that matches
    assert installs_module.find_python("~=3.7.0") == str(managed)
    assert installs_module.find_python("==3.9.*") == str(path_python)
    assert installs_module.find_python(">=3.20") is None
    # uv makes no venv of a Python 2, so a 2.7 on disk is no answer.
    assert installs_module.find_python("==2.7") is None and not installs_module.uv_can_make("<3")
