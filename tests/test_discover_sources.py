"""Candidate sources beyond the README's Python commands, each on the shape of a dev-corpus repo
(named at each test, with its commit): a docs site's nested pages, example scripts kept under
tests/, `.bash` scripts, Go commands, and a compiled program the docs call by its Windows name."""

from __future__ import annotations

from pathlib import Path

from scout.baseline.discover.candidates import find_candidates
from scout.baseline.discover.docs import find_docs
from tests.test_baseline_needs import write


def _commands(repo: Path) -> dict[str, object]:
    return {c.command: c for c in find_candidates(repo).candidates}


# facebookresearch/pythia @ b8f4591dc0e233539a169e7319a751f3dccd2503: the README points to the web
# docs; the evaluation is in website/docs/challenges/vqa_challenge.md, with root-relative paths.
VQA_CHALLENGE = """---
id: vqa_challenge
title: 'VQA Challenge'
---

### Evaluation

Next run evaluation on the validation set:

```bash
mmf_run config=projects/visual_bert/configs/vqa2/defaults.yaml \\
    model=visual_bert \\
    dataset=vqa2 \\
    run_type=val \\
    checkpoint.resume_file=<path_to_trained_model>
```

This will give you the performance of your model on the validation set.
"""


def test_a_docs_site_section_is_read_and_its_paths_resolve_from_the_root(tmp_path):
    repo = write(
        tmp_path / "pythia",
        {
            "README.md": "# MMF\n\nMMF is a modular framework. See [the docs](https://mmf.sh/docs).\n",
            "setup.py": "setup(entry_points={'console_scripts': ['mmf_run=mmf_cli.run:run']})\n",
            "mmf_cli/run.py": "def run():\n    pass\n",
            "projects/visual_bert/configs/vqa2/defaults.yaml": "model_config: {}\n",
            "website/docs/challenges/vqa_challenge.md": VQA_CHALLENGE,
            "website/docs/getting_started/installation.md": "# Installation\n\n```bash\npip install -e .\n```\n",
        },
    )
    docs = [d.path for d in find_docs(repo)]
    assert docs[:2] == ["README.md", "website/docs/getting_started/installation.md"]  # a guide first
    assert "website/docs/challenges/vqa_challenge.md" in docs
    [val] = [c for c in find_candidates(repo).candidates if "run_type=val" in c.command]
    assert val.command.startswith("mmf_run config=projects/visual_bert/configs/vqa2/defaults.yaml model=visual_bert")
    assert (val.cwd, val.doc, val.section) == ("", "website/docs/challenges/vqa_challenge.md", ("Evaluation",))


def test_a_docs_folder_is_read_boundedly(tmp_path):
    pages = {f"docs/section{i:02d}/page{j:02d}.md": "# Page\n" for i in range(30) for j in range(30)}
    repo = write(tmp_path / "wide_docs", {"README.md": "# R\n", **pages})
    assert len(find_docs(repo)) <= 1 + 8


# ManuelVs/NNForTextClassification @ 464a8acb9c019eb1591a0aa940a8bfc6f8c7121d: the README's "/tests"
# section holds "Ejemplos de uso de esta biblioteca": example scripts that train and evaluate.
KIM_TF = """import pickle
import numpy as np
import sys
from fen.classifier import Classifier


if __name__ == '__main__':
    filePathEncodedTREC = sys.argv[1]
    filePathWord2vec = sys.argv[2]
    classifier = Classifier(model=None, input_length=1, output_length=6)
    classifier.train(X_train=None, y_train=None, X_eval=None, y_eval=None, epochs=20)
"""


def test_an_example_script_under_tests_is_a_candidate_and_a_test_module_is_not(tmp_path):
    repo = write(
        tmp_path / "nnfortext",
        {
            "README.md": "## /tests\nEjemplos de uso de esta biblioteca, además de pequeños tests.\n",
            "setup.py": "from setuptools import setup\nsetup(name='fen', packages=['fen'])\n",
            "fen/__init__.py": "",
            "fen/classifier.py": "class Classifier:\n    pass\n",
            "tests/fen/kim_tf.py": KIM_TF,
            "tests/test_classifier.py": "import unittest\n\nif __name__ == '__main__':\n    unittest.main()\n",
            "tests/fen/helpers.py": "import unittest\n\nclass T(unittest.TestCase):\n    pass\n\n"
            "if __name__ == '__main__':\n    unittest.main()\n",
        },
    )
    found = find_candidates(repo).candidates
    scripts = {c.script for c in found}
    assert "tests/fen/kim_tf.py" in scripts
    assert not scripts & {"tests/test_classifier.py", "tests/fen/helpers.py"}
    [kim] = [c for c in found if c.script == "tests/fen/kim_tf.py"]
    assert (kim.command, kim.cwd) == ("python tests/fen/kim_tf.py", "")  # run from the root, as tests are


# meghanathmacha/xPACS @ 35884739304caef12ff3cd5c05a1b5928db24287: "The `full.sh` script runs the end
# to end xPACS model", a `.bash` file in src/Model.
FULL_BASH = """#!/bin/sh

R --slave -f processdata.R
echo "Part 1 done"
bash ellipse.bash
cd Part2/
R --slave -f model.R
echo "Probabilities saved"
"""


def test_a_bash_script_is_a_shell_script(tmp_path):
    repo = write(
        tmp_path / "xpacs",
        {
            "README.md": "## File Structure\n3. The `full.sh` script runs the end to end xPACS model for a dataset.\n",
            "src/Model/full.bash": FULL_BASH,
            "src/Model/ellipse.bash": "matlab -nodisplay -nodesktop -r calculateEllipsoidsSub\n",
        },
    )
    full = _commands(repo)["bash src/Model/full.bash"]
    assert full.origin == "shell-script" and full.language == "shell" and full.script_exists


# danieldk/citar @ 5402fd24cebfb1cd9ef0236fd120a1abd4c56b13: a Go module whose programs are in cmd/;
# the README documents no command.
CITAR_EVALUATE = """package main

import (
\t"flag"
\t"fmt"
\t"os"
)

func init() {
\tflag.Usage = func() {
\t\tfmt.Fprintf(os.Stderr, "Usage: %s [options] config input.conllx\\n\\n", os.Args[0])
\t}
}

func main() {
\tfmt.Printf("Overall accuracy: %2f\\n", 0.0)
}
"""


def test_the_programs_of_a_go_module(tmp_path):
    repo = write(
        tmp_path / "citar",
        {
            "README.md": "# Citar\n\nCitar is a part-of-speech tagger. It can be used as stand-alone programs.\n",
            "go.mod": "module github.com/danieldk/citar\n",
            "cmd/citar-evaluate/main.go": CITAR_EVALUATE,
            "cmd/citar-evaluate/main_test.go": "package main\n\nfunc main() {}\n",
            "cmd/common/config.go": "package common\n\ntype CitarConfig struct{}\n",
            "tagger/tagger.go": "package tagger\n",
        },
    )
    go = [c for c in find_candidates(repo).candidates if c.program == "go"]
    assert [(c.command, c.cwd, c.origin, c.language) for c in go] == [
        ("go run ./cmd/citar-evaluate", "", "entry-point", "go")
    ]


def test_go_files_without_a_go_module_are_not_commands(tmp_path):
    repo = write(tmp_path / "vendored", {"README.md": "# R\n", "third_party/x/main.go": CITAR_EVALUATE})
    assert not [c for c in find_candidates(repo).candidates if c.program == "go"]


# eric-erki/darknet @ 552207d6f0af585960c9c43e6a6d7c53fb4ae6bd (AlexeyAB's README): the commands call
# the Windows binary; "On Linux use `./darknet` instead of `darknet.exe`". The Makefile builds it.
DARKNET_README = """## When should I stop training:

  2.2 If training is stopped after 9000 iterations, to validate some of previous weights use this commands:

(If you use another GitHub repository, then use `darknet.exe detector recall`... instead of
`darknet.exe detector map`...)

* `darknet.exe detector map data/obj.data yolo-obj.cfg backup\\yolo-obj_7000.weights`
* `darknet.exe detector map data/obj.data yolo-obj.cfg backup\\yolo-obj_8000.weights`
"""


def test_a_windows_binary_in_the_docs_is_the_program_the_build_makes(tmp_path):
    files = {"README.md": DARKNET_README, "data/obj.data": "valid = data/valid.txt\n"}
    built = _commands(write(tmp_path / "darknet", {**files, "Makefile": "EXEC=darknet\nall: $(EXEC)\n"}))
    mapped = built["./darknet detector map data/obj.data yolo-obj.cfg backup/yolo-obj_7000.weights"]
    assert mapped.origin.startswith("doc") and mapped.cwd == ""
    assert not any(command.startswith("darknet.exe") or "\\" in command for command in built)
    unbuilt = _commands(write(tmp_path / "prebuilt", files))
    assert not any("darknet" in command for command in unbuilt)  # a Windows tool the repo does not build


def test_a_windows_path_to_a_script_of_the_repo_gets_slashes(tmp_path):
    # eric-erki/darknet's README: "run `python build\\darknet\\x64\\data\\voc\\voc_label.py`".
    repo = write(
        tmp_path / "voc",
        {
            "README.md": "## How to train (Pascal VOC Data):\n\n"
            "* run: `python build\\darknet\\x64\\data\\voc\\voc_label.py` (to generate files)\n"
            "* then: `python tools\\plot.py --pattern a\\d`\n",
            "build/darknet/x64/data/voc/voc_label.py": "print('labels')\n",
        },
    )
    commands = _commands(repo)
    voc = commands["python build/darknet/x64/data/voc/voc_label.py"]
    assert voc.script_exists and voc.script == "build/darknet/x64/data/voc/voc_label.py"
    assert "python tools\\plot.py --pattern a\\d" in commands  # no such file: left as written


# eth-sri/diffai @ 6a694d7ca94ad1690937001fd1d492a435bc2244: the README runs the repo itself,
# `python . -d "Point()" ... -n ffnn`, whose __main__.py trains and tests.
def test_python_dot_runs_the_folders_main(tmp_path):
    repo = write(
        tmp_path / "diffai",
        {
            "README.md": '## Using DiffAI\n```\npython . -d "Point()" -d "Box()" -t "PGD()" -n ffnn\n```\n'
            "```\ncd sub\npython . --test\n```\n",
            "__main__.py": "import argparse\nparser = argparse.ArgumentParser()\nargs = parser.parse_args()\n"
            "print('test accuracy: %f' % 0.9)\n",
            "sub/__main__.py": "print('acc: 1')\n",
        },
    )
    commands = _commands(repo)
    documented = commands['python . -d "Point()" -d "Box()" -t "PGD()" -n ffnn']
    assert (documented.script, documented.script_exists, documented.cwd) == ("__main__.py", True, "")
    assert "prints_metric" in documented.traits
    assert (commands["python . --test"].script, commands["python . --test"].cwd) == ("sub/__main__.py", "sub")
    assert commands["python ."].origin == "python-module"


# jhoffman/cycada_release @ e04d72fb2a16c7c5c187438f5ed1c431d32d7472: "The main script for feature
# adaptation can be found inside `scripts/train_adda.py`", a flat script (top-level code, no
# `__main__` guard) one folder down, in a repo of more than 30 Python files; it trains and prints
# the test-set evaluation.
TRAIN_ADDA = """import os
from cycada.tools.test_task_net import load_and_test_net

datadir = '/x/jhoffman'
src = 'mnist'
tgt = 'usps'
print('Evaluating {} source model'.format(src))
cm = load_and_test_net(tgt, datadir, 'src_net.pth', 'LeNet', 10)
"""


def test_a_flat_script_in_a_folder_is_a_candidate_where_the_docs_name_its_path(tmp_path):
    many = {f"cycada/models/m{i:02d}.py": "def f():\n    return 1\n" for i in range(32)}
    repo = write(
        tmp_path / "cycada",
        {
            "README.md": "## Train feature adaptation only (digits)\n"
            "* The main script for feature adaptation can be found inside `scripts/train_adda.py`\n",
            "scripts/train_adda.py": TRAIN_ADDA,
            "scripts/plot_curves.py": TRAIN_ADDA.replace("Evaluating", "Plotting"),  # not named
            **many,
        },
    )
    commands = _commands(repo)
    adda = commands["python scripts/train_adda.py"]
    assert adda.origin == "conventional" and adda.script_exists and adda.named
    assert "python scripts/plot_curves.py" not in commands  # many scripts: a flat one is read only where named
