"""Discovery on the shapes of real repos' docs and scripts (tests/data/discover: excerpts of dev-corpus
repos, each naming its source and commit): extraction that loses nothing, the fitted ranker's
interface, and bounded reading of hostile checkouts."""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from scout.baseline.discover.candidates import Candidate, code_traits, find_candidates
from scout.baseline.discover.docs import find_docs
from scout.baseline.discover.features import RepoContext, candidate_features, none_features
from scout.baseline.discover.rank import RANKER, Model, Ranking, pick_mass, rank
from tests.repo_shapes import rl_zoo
from tests.sync import GUARD_S

DATA = Path(__file__).parent / "data" / "discover"


def _repo(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(DATA / name, tmp_path / name))


def _by_command(discovery, start: str):
    return next(c for c in discovery.candidates if c.command.startswith(start))


def test_one_line_fences_do_not_hide_later_blocks(tmp_path):
    found = find_candidates(_repo(tmp_path, "deep_ed"))
    fenced = _by_command(found, "th data_gen/gen_p_e_m/gen_p_e_m_from_wiki.lua")
    assert fenced.origin == "doc-block" and fenced.script_exists and fenced.language == "lua"
    test = _by_command(found, "CUDA_VISIBLE_DEVICES=0 th ed/test/test_one_loaded_model.lua")
    assert test.script == "ed/test/test_one_loaded_model.lua" and test.script_exists
    assert test.section == (
        'Source code for "Deep Joint Entity Disambiguation with Local Neural Attention"',
        "How to run the system and reproduce our results",
    )
    assert "re-load and test the best ED model" in test.context
    assert not any(c.command.startswith("luarocks") for c in found.candidates)  # an install step


def test_cd_in_an_earlier_block_and_in_the_line(tmp_path):
    found = find_candidates(_repo(tmp_path, "darts"))
    search = _by_command(found, "python train_search.py")
    assert (search.cwd, search.resolved, search.script) == ("cnn", "cd", "cnn/train_search.py")
    cnn = [c for c in found.candidates if c.command.startswith("python test.py --auxiliary")]
    assert [(c.cwd, c.script_exists) for c in cnn] == [("cnn", True)]
    rnn = _by_command(found, "python test.py --model_path ptb_model.pt")
    assert rnn.cwd == "rnn" and rnn.script == "rnn/test.py"


def test_guide_in_a_subfolder_with_root_relative_paths(tmp_path):
    repo = _repo(tmp_path, "fb_resnet")
    assert [d.path for d in find_docs(repo)] == ["README.md", "pretrained/README.md"]
    found = find_candidates(repo)
    retrain = _by_command(found, "th main.lua -retrain")
    assert (retrain.doc, retrain.cwd, retrain.resolved, retrain.script_exists) == (
        "pretrained/README.md",
        "",
        "root",
        True,
    )
    assert retrain.placeholders == ("[path-to-directory-with-train-and-val]",)
    assert retrain.source == "pretrained/README.md § Fine-tuning on a custom dataset"


def test_one_line_fence_in_a_list_and_required_arguments(tmp_path):
    found = find_candidates(_repo(tmp_path, "mildnet"))
    execute = _by_command(found, "python execute.py")
    assert execute.origin == "doc-block" and execute.script_exists and not execute.required_missing
    task = next(c for c in found.candidates if c.script == "trainer/task.py" and c.origin == "entry-point")
    assert task.command == "python task.py" and task.cwd == "trainer"
    assert task.required_missing == ("--job-dir", "--data-path")


def test_dot_slash_scripts_setup_steps_and_help(tmp_path):
    found = find_candidates(_repo(tmp_path, "autofocus"))
    download = _by_command(found, "bash download_models.sh")
    assert download.script_exists and download.origin == "doc-block"
    test = _by_command(found, "python test.py --num_gpus 1")
    assert test.setup == ("bash download_models.sh",)
    assert not any("-h" in c.args for c in found.candidates)  # prints the usage: never a candidate


def test_console_script_without_func_and_hydra_overrides(tmp_path):
    found = find_candidates(_repo(tmp_path, "mmf"))
    assert found.console_scripts == ("mmf_run", "mmf_predict")
    documented = _by_command(found, "mmf_run config=")
    assert documented.origin == "doc-block" and documented.script == "mmf_cli/run.py" and documented.script_exists
    assert "<REPLACE_WITH_BASELINE_CONFIG>" in documented.placeholders
    declared = [c for c in found.candidates if c.origin == "console-script"]
    assert [(c.command, c.script) for c in declared] == [
        ("mmf_run", "mmf_cli/run.py"),
        ("mmf_predict", "mmf_cli/predict.py"),
    ]


def test_rank_is_a_distribution_with_evidence(tmp_path):
    ranking = rank(find_candidates(_repo(tmp_path, "darts")))
    assert isinstance(ranking, Ranking)
    total = sum(r.probability for r in ranking.ranked) + ranking.none_probability
    assert total == pytest.approx(1.0)
    assert [r.probability for r in ranking.ranked] == sorted((r.probability for r in ranking.ranked), reverse=True)
    assert 0.0 <= ranking.confidence <= 1.0
    assert ranking.pick is None or ranking.pick is ranking.ranked[0].candidate
    assert all(isinstance(e, str) for r in ranking.ranked for e in r.evidence)


def test_nothing_to_rank_is_none(tmp_path):
    ranking = rank(find_candidates(tmp_path))
    assert ranking.ranked == () and ranking.pick is None and ranking.none_probability == 1.0


def _features_of(command: str, args: tuple[str, ...]) -> set[str]:
    """The features of a documented command alone in a bare repo."""
    candidate = Candidate(command, "", "doc-block", "README.md", doc_order=0, program=command.split()[0], args=args)
    return set(candidate_features(candidate, RepoContext(1, 1, 0, "", "repo", 1, False)))


def _flag_features(command: str, args: tuple[str, ...]) -> set[str]:
    return {name for name in _features_of(command, args) if "flag." in name}


def test_a_flag_that_turns_evaluation_off_or_names_test_data_is_no_evaluation_mode():
    # perslev/MultiPlanarUNet's README: `mp predict --no_eval` predicts without evaluating;
    # HoganZhang/Person_reID_baseline_pytorch's: `python test.py --gpu_ids 0 --test_dir your_data_path`
    # extracts features, and its `--test_dir` says where the test images are, not which mode to run.
    assert _flag_features("mp predict --no_eval", ("predict", "--no_eval")) == set()
    named = _flag_features("python test.py --test_dir your_data_path", ("--test_dir", "your_data_path"))
    assert named == {"path-flag.eval"}
    assert _flag_features("python main.py --test_only", ("--test_only",)) == {"flag.eval"}


def test_a_none_pick_is_calibrated_with_its_own_fit():
    # A candidate's probability is shrunk by P(none); the none option's is not, so the same raw
    # probability is calibrated apart for the two kinds of pick, slope and offset.
    model = Model({}, {}, {}, (1.0, 0.0, 0.5, -2.0), sure=0.9)
    assert model.calibrate(0.5) == pytest.approx(0.5)
    assert model.calibrate(0.5, none=True) == pytest.approx(1 / (1 + math.exp(2.0)))
    assert model.calibrate(0.9, none=True) == pytest.approx(1 / (1 + math.exp(-(0.5 * math.log(9) - 2.0))))


def test_equivalent_commands_weigh_together_against_none(tmp_path):
    # InSpaceAI/RL-Zoo (tests/repo_shapes.py): five entry points ranked alike each get a fifth of
    # P(some evaluation); that fifth alone lost to P(none) = 0.4, the five together do not.
    model = Model({}, {"none:bias": math.log(0.4 / 0.6)}, {}, (1.0, 0.0, 1.0, 0.0), sure=0.9)
    ranking = rank(find_candidates(rl_zoo(tmp_path)), model)
    assert len(ranking.ranked) == 5 and ranking.none_probability == pytest.approx(0.4)
    assert ranking.ranked[0].probability == pytest.approx(0.12)
    assert ranking.pick is ranking.ranked[0].candidate


def test_the_pick_weighs_with_its_own_script_and_its_near_ties_only():
    # facebook/fb.resnet.torch's README runs `th main.lua` with other depths and datasets: one
    # script; a script that ranks well below it is another command.
    kins = [("", "main.lua"), ("", "a.lua"), ("", "b.lua"), ("", "main.lua"), ("", "c.lua")]
    assert pick_mass([0.2, 0.15, 0.15, 0.1, 0.19], kins, 0) == pytest.approx(0.49)
    assert pick_mass([0.2, 0.15, 0.15, 0.1, 0.17], kins, 0) == pytest.approx(0.3)


def test_the_none_option_counts_what_the_docs_prose_says_the_code_does():
    # arsenzaryan/CapsNet's README gives no command but says the code evaluates; buriburisuri/ebgan's
    # commands train and generate, and nothing in it speaks of evaluating.
    capsnet = (
        "# CapsNet\nThis is the implementation of Capsule Net for MNIST on TensorFlow. After each epoch the "
        "accuracies on the whole train and test sets are computed.\nThis network easily achieved ~99.5% on test set."
    )
    ebgan = (
        "# EBGAN\n## Training the network\nExecute python mnist_ebgan_train.py to train the network.\n"
        "## Generating image\nExecute python mnist_ebgan_generate.py to generate sample image."
    )
    said = {}
    for name, text in (("capsnet", capsnet), ("ebgan", ebgan)):
        repo = RepoContext(0, 0, -1, text.lower(), "repo", 1, False)
        said[name] = {k: v for k, v in none_features(repo).items() if k.startswith("none:docs.")}
    assert said["capsnet"]["none:docs.eval.log"] == pytest.approx(math.log(3))  # "test" twice
    assert said["ebgan"]["none:docs.eval.log"] == 0.0
    assert said["ebgan"]["none:docs.train.log"] > 0 and said["ebgan"]["none:docs.infer.log"] > 0


def test_a_script_that_writes_pictures_and_measures_nothing_is_told_apart(tmp_path):
    # xinntao/ESRGAN's README shows its results as pictures (`<img src="figures/baboon.jpg">`) and
    # its `test.py` upscales the images of LR/ and writes them to results/, printing no metric: it
    # shows results, it does not measure them. A script that also prints a PSNR is an evaluation.
    (tmp_path / "README.md").write_text(
        '# ESRGAN\n<p align="center">\n  <img src="figures/baboon.jpg">\n</p>\n\n## Quick Test\n'
        "4. Run test.\n```\npython test.py\n```\n"
    )
    shows = (
        "import cv2\nimport torch\nmodel.load_state_dict(torch.load(model_path), strict=True)\nmodel.eval()\n"
        "for path in glob.glob('LR/*'):\n    with torch.no_grad():\n        output = model(img)\n"
        "    cv2.imwrite('results/{:s}_rlt.png'.format(base), output)\n"
    )
    (tmp_path / "test.py").write_text(shows)
    found = find_candidates(tmp_path)
    repo = RepoContext.of(found)
    assert repo.pictures == 1
    test = _by_command(found, "python test.py")
    row = candidate_features(test, repo)
    assert row["writes-output-no-metric"] == 1.0 and row["writes-output-no-metric|docs-pictures"] == 1.0
    none = none_features(repo, top=row)
    assert none["none:top|writes-output-no-metric"] == 1.0 and none["none:docs-pictures.log"] > 0
    (tmp_path / "test.py").write_text(shows + "    print('PSNR: {:.2f} dB'.format(psnr))\n")
    measured = candidate_features(_by_command(find_candidates(tmp_path), "python test.py"), repo)
    assert "writes-output-no-metric" not in measured


def test_the_shipped_ranker_was_fitted_on_dev_only():
    from bench.corpus.labels import part

    data = json.loads(RANKER.read_text())
    assert data["weights"] and data["none_weights"] and len(data["calibration"]["platt"]) == 4
    assert set(data["cv"]) >= {"top1", "top3", "sure_rate", "precision_when_sure", "ece"}
    corpus = Path(__file__).parent.parent / "bench" / "corpus"
    rows = [line.split("\t") for sample in corpus.glob("sample*.tsv") for line in sample.read_text().splitlines()[1:]]
    heldout = {row[0] for row in rows if part(row[2]) != "dev"}
    assert data["repos"] and not heldout & set(data["repos"])


@pytest.mark.parametrize(
    "readme",
    [
        b"",
        b"\x00\x01\x02binary\xff" * 1000,
        b"# Big\n" + b"Some text `python x.py` and more.\n```\npython eval.py --x 1\n```\n" * 160_000,  # ~10 MB
    ],
    ids=["empty", "binary", "10MB"],
)
def test_hostile_readmes_are_bounded(tmp_path, readme):
    (tmp_path / "README.md").write_bytes(readme)
    (tmp_path / "eval.py").write_text("import argparse\n")
    started = time.monotonic()
    ranking = rank(find_candidates(tmp_path))
    assert time.monotonic() - started < GUARD_S
    assert isinstance(ranking, Ranking)


@pytest.mark.slow
def test_many_files_are_bounded(tmp_path):
    for i in range(51):
        folder = tmp_path / f"d{i}"
        folder.mkdir()
        for j in range(1000):
            (folder / f"f{j}.txt").write_bytes(b"")
    (tmp_path / "README.md").write_text("```\npython main.py\n```\n")
    (tmp_path / "main.py").write_text("print('acc', 1)\n")
    started = time.monotonic()
    found = find_candidates(tmp_path)
    assert time.monotonic() - started < GUARD_S
    assert found.files == 50_000
    assert _by_command(found, "python main.py").script_exists


def test_sub_readme_named_in_inline_code_is_read(tmp_path):
    # No dev-corpus repo names its guide only in inline code, so this one shape is written by hand;
    # two folders down, the guide is no conventional doc: only the inline name leads to it.
    (tmp_path / "README.md").write_text("# Project\nFor the experiments see `experiments/cifar/README.md`.\n")
    guide = tmp_path / "experiments" / "cifar"
    guide.mkdir(parents=True)
    (guide / "README.md").write_text("## Evaluate\n```\npython evaluate.py --split test\n```\n")
    (guide / "evaluate.py").write_text("import argparse\n")
    found = find_candidates(tmp_path)
    assert [d.path for d in found.docs] == ["README.md", "experiments/cifar/README.md"]
    evaluate = _by_command(found, "python evaluate.py --split test")
    assert (evaluate.cwd, evaluate.resolved) == ("experiments/cifar", "doc folder")
    assert evaluate.script == "experiments/cifar/evaluate.py"


def test_metric_words_inside_snake_case_names():
    # DediGadot/PatchBatch@0162117a benchmark_kitti.py logs its KITTI error as `avg_err`;
    # patchbatch.py, the documented demo, writes a flow image and logs no metric.
    bench = "print('--- Aggregated: avg_err %.2f perc_above_tau %.2f' % (numpy.mean(all_avg_err), tau))\n"
    assert "prints_metric" in code_traits(bench)
    demo = "import cv2\ndef calc_flow(a, b):\n    cv2.imwrite('flow.png', a)\n    print('done', a.shape)\n"
    assert "prints_metric" not in code_traits(demo) and "plots" in code_traits(demo)


def test_a_training_loss_is_not_a_metric_a_held_out_loss_is():
    # saschaschramm/LSTM@0f06c387 run_lstm.py, a toy demo labeled "no evaluation": it prints the
    # training loss. A loss on held-out data is what an evaluation reports (perplexity-style runs).
    demo = 'print("next symbol (predicted)", prediction)\nprint("next symbol", label[0])\nprint("loss", loss)\n'
    assert "prints_metric" not in code_traits(demo)
    assert "prints_metric" in code_traits('print("test loss: {:.4f}".format(test_loss))\n')
    assert "prints_metric" in code_traits('print("step %d loss %.3f acc %.3f" % (i, loss, acc))\n')
    # Only the held-out one is what an evaluation reports.
    assert "prints_held_out_metric" in code_traits('print("test loss: {:.4f}".format(test_loss))\n')
    assert "prints_held_out_metric" not in code_traits('print("step %d loss %.3f acc %.3f" % (i, loss, acc))\n')


def test_a_value_is_not_validation_and_according_is_no_accuracy():
    # rosinality/style-based-gan-pytorch train.py (labeled "training and sampling only") shows its
    # GAN losses as `gen_loss_val`; anujdutt9/Artistic-Style-Transfer-using-Keras-Tensorflow prints
    # "current loss value"; walid-shalaby/wikiextractor logs prose that says "according".
    gan = "pbar.set_description(f'size: {4 * 2 ** step}; g: {gen_loss_val:.3f}; d: {disc_loss_val:.3f};')\n"
    assert "prints_metric" not in code_traits(gan)
    assert "prints_metric" not in code_traits("print('current loss value:', min_val)\n")
    assert "prints_metric" not in code_traits("logging.info('page skipped according to its namespace')\n")
    assert "prints_metric" in code_traits("print('val_loss', val_loss)\nprint('acc_top1: %.2f' % top1)\n")


def test_a_notebook_server_is_not_a_candidate_the_notebook_it_opens_is(tmp_path):
    # IBM/MAX-Object-Detector@7302bae7 README.md § Run the Notebook: `jupyter notebook` starts a
    # server and waits for a person; the notebook it names is run with nbconvert instead.
    (tmp_path / "README.md").write_text(
        "Run the following command from the model repo base folder, in a new terminal window:\n\n"
        "```bash\n$ jupyter notebook\n```\n\n"
        "This will start the notebook server. You can launch the demo notebook by clicking on `demo.ipynb`.\n"
    )
    (tmp_path / "demo.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}\n')
    commands = [c.command for c in find_candidates(tmp_path).candidates]
    assert not any(command.startswith(("jupyter notebook", "jupyter lab")) for command in commands)
    assert any(command.startswith("jupyter nbconvert") and command.endswith("demo.ipynb") for command in commands)


def test_commands_written_as_plain_list_items_keep_their_dotted_arguments(tmp_path):
    found = find_candidates(_repo(tmp_path, "game_playing"))
    test = _by_command(found, "python simulate_environment.py --config example_config.yaml --test")
    assert test.origin == "doc-block" and test.script_exists and not test.required_missing
    assert _by_command(found, "python simulate_environment.py --config example_config.yaml --train").doc_order == 0


def test_a_placeholder_written_before_the_script_moves_after_it(tmp_path):
    found = find_candidates(_repo(tmp_path, "listen_translate"))
    documented = next(c for c in found.candidates if c.origin == "doc-block")
    assert documented.command == "bash final.sh <test.csv file path>"
    assert documented.script == "final.sh" and documented.script_exists
    assert documented.placeholders == ("<test.csv file path>",)


@pytest.mark.parametrize(
    ("name", "script", "named"),
    [
        ("patchbatch", "benchmark_kitti.py", ("Usage", "to run a full benchmark")),
        ("hospital", "Classification/Main.m", (None, "Please run the")),
    ],
)
def test_a_script_the_docs_name_in_text_carries_where_they_name_it(tmp_path, name, script, named):
    found = find_candidates(_repo(tmp_path, name))
    [candidate] = [c for c in found.candidates if c.script == script and not c.origin.startswith("doc")]
    heading, prose = named
    assert heading is None or heading in candidate.named[:-1]
    assert prose in candidate.named[-1] or prose in " ".join(candidate.named)


@pytest.mark.parametrize(
    ("name", "script"),
    [("vdcnn", "train.py"), ("keras_elmo", "example_word_level.py"), ("hospital", "Classification/Main.m")],
)
def test_metrics_printed_by_a_format_string_keras_or_matlab(name, script):
    # An f-string split over lines, Keras' compiled metrics printed during fit, MATLAB's disp.
    assert "prints_metric" in code_traits((DATA / name / script).read_text())


def test_a_script_carries_what_the_modules_it_imports_do(tmp_path):
    # arsenzaryan/CapsNet@d43130f3 run.py only defines flags and calls MNIST().fit(); the model,
    # its evaluation and the accuracy it prints are in mnist_capsnet.py, which it imports.
    (tmp_path / "run.py").write_text(
        "from utils import test_set, train_set\nimport tensorflow as tf\nfrom mnist_capsnet import MNIST\n\n"
        "flags = tf.app.flags\nflags.DEFINE_integer('epochs', 100, 'Epoch to train [2]')\n\n"
        "if __name__ == '__main__':\n    mnist = MNIST()\n    mnist.fit()\n"
    )
    (tmp_path / "mnist_capsnet.py").write_text(
        "class MNIST:\n    def evaluate(self, sess, data):\n        acc = sess.run(self.accuracy)\n"
        "        print('test accuracy: %.4f' % acc)\n"
    )
    (tmp_path / "utils.py").write_text("test_set, train_set = None, None\n")
    (tmp_path / "train.sh").write_text("python run.py --epochs 2\n")  # reads run.py first, as launched
    found = find_candidates(tmp_path).candidates
    run = next(c for c in found if c.script == "run.py")
    assert "trains" in run.traits and "via:trains" not in run.traits  # its own, not repeated
    assert {"via:evaluates", "via:prints_metric"} <= set(run.traits)
    shell = next(c for c in found if c.script == "train.sh")
    assert shell.traits[:2] == ("trains", "reads_args")  # what it launches does,
    assert {"via:evaluates", "via:prints_metric"} <= set(shell.traits)  # and what that one imports


def test_a_shell_script_carries_what_its_python_script_imports(tmp_path):
    # simonjisu/E2EMN runtest.sh runs runtest.py, which only builds the model and calls
    # `validation(..., is_test=True)` from memn2n/train.py, where the test error is measured and printed.
    (tmp_path / "memn2n").mkdir()
    (tmp_path / "memn2n" / "train.py").write_text(
        "def validation(vocab, loader, model, loss_function, is_test=False):\n    model.eval()\n"
        "    print('test error rate: {:.4f}'.format(error_rate))\n    return error_rate\n"
    )
    (tmp_path / "runtest.py").write_text(
        "import torch\nfrom memn2n.train import import_data, build_model, validation\n\n"
        "model = build_model(config)\nvalidation(vocab, test_loader, model, loss_function, is_test=True)\n"
    )
    (tmp_path / "runtest.sh").write_text("python3 runtest.py -type ind -emd 20 -cuda")
    shell = next(c for c in find_candidates(tmp_path).candidates if c.script == "runtest.sh")
    assert {"via:evaluates", "via:prints_metric", "via:prints_held_out_metric"} <= set(shell.traits)


def test_a_script_carries_what_each_module_of_one_import_line_does(tmp_path):
    # SharifAmit/DilatedFCNSegmentation solvedilated.py: `import surgery, score`, then
    # `score.seg_tests(solver, False, val, layer='score')`; score.py prints the overall accuracy.
    (tmp_path / "score.py").write_text(
        "def seg_tests(solver, save_format, dataset, layer='score'):\n"
        "    print('>>>', 'Iteration', iter, 'overall accuracy', acc)\n"
    )
    (tmp_path / "surgery.py").write_text("def interp(net, layers):\n    pass\n")
    (tmp_path / "solvedilated.py").write_text(
        "import caffe\nimport surgery, score\n\nsolver = caffe.SGDSolver('solver.prototxt')\n"
        "for _ in range(25):\n    solver.step(4000)\n    score.seg_tests(solver, False, val, layer='score')\n"
    )
    script = next(c for c in find_candidates(tmp_path).candidates if c.script == "solvedilated.py")
    assert {"via:prints_metric", "via:metric:accuracy"} <= set(script.traits)


def test_a_shell_script_runs_the_python_its_variable_names(tmp_path):
    # cooijmanstim/recurrent-batch-normalization@fe9efe65 experiments/text8_lstm.sh sets the
    # command in a variable, changes into a run folder, then runs `python $command`.
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "text8_lstm.sh").write_text(
        'command="../../text8.py --length 180 --num-epochs 50"\nnh=2000\ndirectory=text8-lstm-nh$nh\n'
        "mkdir -p $directory\ncd $directory\npython $command --num-hidden $nh\ncd ..\n"
    )
    (tmp_path / "text8.py").write_text(
        "import argparse\n\ndef evaluate(model):\n    model.eval()\n\nif __name__ == '__main__':\n    evaluate(None)\n"
    )
    [shell] = [c for c in find_candidates(tmp_path).candidates if c.script == "experiments/text8_lstm.sh"]
    assert shell.launches == ("python ../../text8.py --length 180 --num-epochs 50 --num-hidden 2000",)
    assert "evaluates" in shell.traits


def test_every_evidence_the_ranker_gives_is_in_words():
    from scout.baseline.discover.features import describe

    # "doc.eval-rank=0" looks like a key=value feature (origin=doc-block) and was shown raw.
    assert describe("doc.eval-rank=0") == "the docs' first command said to evaluate"
    assert describe("origin=doc-block") == "from doc block"


def test_a_commands_context_is_the_prose_of_its_own_section(tmp_path):
    # deepmind/scalable_agent's README: the prose closing "Distributed Training" speaks of test
    # scores; the learner's command under the next heading is training, and that prose is not its.
    (tmp_path / "experiment.py").write_text("import argparse\n")
    (tmp_path / "README.md").write_text(
        "## Distributed Training on DMLab-30\n\nWe observed a training score of 45. Test scores are usually"
        " an absolute of ~2% lower.\n\n### Learner\n\n```sh\npython experiment.py --job_name=learner\n```\n\n"
        "### Test Score\n\n```sh\npython experiment.py --mode=test\n```\n"
    )
    found = find_candidates(tmp_path)
    learner = _by_command(found, "python experiment.py --job_name=learner")
    assert learner.context == "Learner." and learner.section[-1] == "Learner"
    assert _by_command(found, "python experiment.py --mode=test").context == "Test Score."


def test_a_shell_script_that_only_downloads_runs_nothing(tmp_path):
    # StupidmanTan/facebookresearch (DensePose) DensePoseData/get_eval_data.sh, given under "For
    # evaluation, get the necessary files": it fetches the evaluation data, it evaluates nothing.
    (tmp_path / "get_eval_data.sh").write_text(
        "#!/bin/bash\nmkdir eval_data\ncd eval_data\nwget https://example.org/densepose_eval_data.tar.gz\n"
        "tar xvf densepose_eval_data.tar.gz\nrm densepose_eval_data.tar.gz\n"
    )
    (tmp_path / "README.md").write_text("For evaluation, get the necessary files:\n\n```\nbash get_eval_data.sh\n```\n")
    [fetch] = [c for c in find_candidates(tmp_path).candidates if c.command == "bash get_eval_data.sh"]
    assert set(fetch.traits) == {"downloads", "runs_nothing"} and fetch.launches == ()
    features = candidate_features(fetch, RepoContext(1, 1, 0, "", "repo", 1, False))
    assert {"trait:downloads", "trait:runs_nothing", "tok.eval", "tok.data"} <= set(features)


def test_a_pretrained_model_is_a_checkpoint_a_baseline_and_an_image_are_not_the_evaluation():
    from scout.baseline.discover.features import roles

    # liyaguang/DCRNN's README: "Run the Pre-trained Model on METR-LA" evaluates the shipped
    # checkpoint (it trains nothing); "Eval baseline methods" evaluates other methods than the paper's.
    assert roles("Run the Pre-trained Model on METR-LA") == {"ckpt"}
    assert roles("Testing with pretrained models") == {"eval", "ckpt"}
    assert roles("Pretraining on ImageNet") == {"train"}
    assert roles("Eval baseline methods") == {"eval", "baseline"}
    # D-X-Y/SAN's README: `san_eval.py --image ./cache_data/cache/test_1.jpg` runs on one image.
    demo = Candidate(
        "python san_eval.py --image ./cache_data/cache/test_1.jpg --model ./snapshots/SAN.pth",
        "",
        "doc-block",
        "README.md § Evaluation on the Single Image",
        "README.md",
        doc_order=0,
        program="python",
        script="san_eval.py",
        args=("--image", "./cache_data/cache/test_1.jpg", "--model", "./snapshots/SAN.pth"),
    )
    assert "arg.media-file" in candidate_features(demo, RepoContext(1, 1, 0, "", "repo", 1, False))


def test_a_shell_script_in_a_scripts_folder_runs_from_above_and_its_last_flag_picks_the_mode(tmp_path):
    # D-X-Y/SAN: SAN/README.md gives `bash scripts/300W/300W-EVAL.sh 0,1` (run in SAN/), which runs
    # `python san_main.py --train_list ... --eval_lists ... --eval_once`: san_main.py is in SAN/, two
    # folders above the script, and the mode is the flag at the end of a long line.
    (tmp_path / "SAN" / "scripts" / "300W").mkdir(parents=True)
    (tmp_path / "SAN" / "scripts" / "300W" / "300W-EVAL.sh").write_text(
        "gpus=$1\nmodel=itn_cpm\npython san_main.py \\\n    --train_list ./cache_data/lists/300w.train.GTB \\\n"
        "    --eval_lists ./cache_data/lists/300w.test.GTB \\\n    --arch ${model} --num_pts 68 --pre_crop_expand 0.2"
        " \\\n    --resume ./snapshots/checkpoint_49.pth.tar \\\n    --eval_once\n"
    )
    (tmp_path / "SAN" / "san_main.py").write_text("import argparse\nimport torch\nmodel.load_state_dict(x)\n")
    (tmp_path / "SAN" / "README.md").write_text(
        "## Evaluate on 300-W\n\nUse the following command to evaluate on 300-W.\n\n"
        "```\nbash scripts/300W/300W-EVAL.sh 0,1\n```\n"
    )
    [script] = [c for c in find_candidates(tmp_path).candidates if c.command == "bash scripts/300W/300W-EVAL.sh 0,1"]
    assert "loads_checkpoint" in script.traits  # san_main.py's, found two folders up
    features = candidate_features(script, RepoContext(1, 1, 0, "", "repo", 1, False))
    assert "launch.eval" in features  # --eval_once; --eval_lists and --train_list name files


def test_a_shell_script_that_runs_a_file_kept_elsewhere_gets_its_traits(tmp_path):
    # pandigreat/DELF's script/test_resetnet50.sh runs `python ./test_resnet.py`, which is
    # src/test_resnet.py: the one file of that name, as for a documented command.
    (tmp_path / "script").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "script" / "test_resetnet50.sh").write_text(
        "python ./test_resnet.py --test_data ./data/test_resnet50.txt --model ./model/resnet50_iter_3000.pkl\n"
    )
    (tmp_path / "src" / "test_resnet.py").write_text("import torch\nmodel.load_state_dict(torch.load(path))\n")
    [script] = [c for c in find_candidates(tmp_path).candidates if c.command == "bash script/test_resetnet50.sh"]
    assert "loads_checkpoint" in script.traits


def test_a_cd_that_leaves_out_the_folder_above_finds_the_one_folder_of_that_name(tmp_path):
    # philipperemy/keras-tcn's README § Run: `cd adding_problem/` then `python main.py`, where the
    # folders are tasks/adding_problem and tasks/copy_memory; two folders of one name stay a guess.
    for task in ("adding_problem", "copy_memory"):
        (tmp_path / "tasks" / task).mkdir(parents=True)
        (tmp_path / "tasks" / task / "main.py").write_text("import argparse\n")
    (tmp_path / "a" / "utils").mkdir(parents=True)
    (tmp_path / "b" / "utils").mkdir(parents=True)
    (tmp_path / "a" / "utils" / "run.py").write_text("print(1)\n")
    (tmp_path / "b" / "utils" / "run.py").write_text("print(1)\n")
    (tmp_path / "README.md").write_text(
        "## Run\n\n```bash\ncd adding_problem/\npython main.py # run adding problem task\n\ncd copy_memory/\n"
        "python main.py\n```\n\n```bash\ncd utils\npython run.py\n```\n"
    )
    found = [c for c in find_candidates(tmp_path).candidates if c.origin == "doc-block"]
    mains = [(c.cwd, c.script_exists, c.resolved) for c in found if c.command == "python main.py"]
    assert mains == [("tasks/adding_problem", True, "cd"), ("tasks/copy_memory", True, "cd")]
    assert [c.script_exists for c in found if c.command == "python run.py"] == [False]


def test_commented_out_prints_print_nothing():
    # rupes438/CodeGen SeqGAN_3/sequence_gan_main.py, labeled "no evaluation": its held-out
    # test loss is logged only on commented-out lines; what runs prints progress.
    seqgan = (
        "    print('Start pre-training...')\n"
        "        #     print('pre-train epoch ', epoch, 'test_loss ', test_loss)\n"
        '    print("total_batch : ", total_batch)\n'
    )
    assert "prints_metric" not in code_traits(seqgan)
    assert "prints_held_out_metric" in code_traits(seqgan.replace("#     print", "print"))
    # A MATLAB comment is no print either.
    assert "prints_metric" not in code_traits("% disp('Accuracy of transparent classifiers')\nx = 1;\n")


def test_a_decimal_logged_on_held_out_data_is_a_held_out_metric():
    # ShangtongZhang/DistributedES cma_es.py logs the test return of each step with no metric word;
    # bloomberg/cnn-rnf cnn_keras.py logs "dev perf" and "test perf". A demo that times its test
    # images (Deformable-ConvNets' rfcn/demo.py) measures speed, not the model.
    assert "prints_held_out_metric" in code_traits(
        "logger.info('total steps %d, %f(%f)' % (total_steps, test_mean, test_ste))\n"
    )
    assert "prints_held_out_metric" in code_traits(
        'logger.info("epoch: %d dev perf: %.3f test perf: %.3f" % (epo + 1, dev_perf * 100, test_perf * 100))\n'
    )
    assert "prints_metric" not in code_traits("print 'testing {} {:.4f}s'.format(im_name, toc())\n")
    assert "prints_metric" not in code_traits(
        'print("==> batchtime(s)/batchsize(img): {:.3f}/{}".format(batch_time.avg, args.test_batch))\n'
    )
    assert "prints_metric" not in code_traits("print('step %d, %.3f' % (step, lr))\n")  # no held-out data named


def test_a_dollar_angle_prompt_is_stripped(tmp_path):
    # Oushesh/CapsClassifigner README.md § Test: an indented block whose command follows a `$>` prompt.
    (tmp_path / "README.md").write_text(
        "## Test\n\nIn order to measure the accuracy and the loss on the Test dataset you need to used the "
        "test.py script as follow:\n\n    $> python test.py outputs/checkpoints/ckpt_name dataset/ \n\n"
        "## Metrics / Tensorboard\n"
    )
    (tmp_path / "test.py").write_text("import sys\nprint('accuracy', 1.0)\n")
    test = _by_command(find_candidates(tmp_path), "python test.py outputs/checkpoints/ckpt_name dataset/")
    assert test.origin == "doc-block" and test.section == ("Test",)


def test_a_script_that_shows_its_own_usage(tmp_path):
    # 15517965908/keras-DBPN: the README gives no command; main.py's docstring does
    # ("testing on the data: python main.py --test_only True ..."). A module it imports does not.
    (tmp_path / "README.md").write_text("# D-DBPN in Keras\n\nJust run the main.py.\n")
    (tmp_path / "main.py").write_text(
        "'''\ntraining on the data: python main.py --ep 1 --to 200 --bs 16\n"
        "testing on the data: python main.py --test_only True --chk 98 --test_image 1072_927.png\n'''\n"
        "import argparse\nfrom model import Net\n"
        "if __name__ == '__main__':\n    parser = argparse.ArgumentParser()\n"
        "    parser.add_argument('--test_only', default=False)\n"
    )
    (tmp_path / "model.py").write_text("class Net:\n    pass\n# used by main.py\n")
    found = find_candidates(tmp_path)
    main = _by_command(found, "python main.py")
    assert "shows_usage" in main.traits and "via:shows_usage" not in main.traits
    assert "trait:shows_usage" in candidate_features(main, RepoContext.of(found))
    assert none_features(RepoContext.of(found)).get("none:some-script-shows-usage") == 1.0
    assert "none:some-script-shows-usage" not in none_features(RepoContext(0, 0, -1, "", "repo", 0, False))


def test_words_that_begin_like_a_metric_report_nothing():
    # BOBrown/deeparsing-master ("Accelerate.7"), vinayakkailas/Face_Recognition ("access the UI
    # using url https://127.0.0.1:5000"), raahii/video-gans-evaluation ("Inception Score [1]"):
    # no result reported. SNUDerek/multiLSTM reports one.
    def reported(text: str) -> int:
        class Found:
            candidates = ()
            docs = ()
            docs_text = text
            shape = "repo"

        return RepoContext.of(Found()).reported

    assert reported("Intel MKL Accelerate.7 and acceleration (v3)") == 0
    assert reported("access the UI using url https://127.0.0.1:5000") == 0
    assert reported("- Inception Score [1]\n- Error Correction |https://arxiv.org/abs/1801.08831") == 0
    assert reported("our intent accuracy is **96.3%** and slot F1 score of 93.71") == 2


def test_a_metric_named_above_a_list_of_numbers_is_reported():
    # Leavingseason/OpenLearning4DeepRecsys: "Some results (AUC) on the demo dataset:" then one
    # number a line. KatyNTsachi/Hierarchical-RL: "ignore the following error message:" then a
    # quoted message that holds numbers is no result.
    from scout.baseline.discover.features import metric_name, reported_metrics

    results = "Some results (AUC) on the demo dataset: \n* Linear only: 0.669 \n* FM only: 0.684   \n"
    results += "* DeepFM: 0.692 .\n"
    assert [metric_name(w) for w in reported_metrics(results)] == [metric_name("auc")]
    message = (
        "you may safely ignore the following error message:\n"
        "*tensorflow 1.10.1 has requirement numpy<=1.14.5,>=1.13.3, but you'll have\n"
        "numpy 1.15.1 which is incompatible*.\n"
    )
    assert reported_metrics(message) == []


def test_the_none_option_weighs_the_candidates_that_are_not_notebooks(tmp_path):
    # SNUDerek/multiLSTM (labeled "notebooks only": no runnable evaluation): README.md § files names
    # `01_keras_modeling-test.ipynb`, whose test-set scores made the none option look beaten. How
    # strong a notebook looks is no evidence against "none"; a script's is.
    (tmp_path / "README.md").write_text(
        "# multiLSTM\n\n## files\n\n`01_keras_modeling-test.ipynb` for training model\n\n"
        "## results\n\nour intent accuracy is **96.3%**\n"
    )
    cell = {"cell_type": "code", "source": ["print('test accuracy', acc)\n"], "metadata": {}, "outputs": []}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}
    (tmp_path / "01_keras_modeling-test.ipynb").write_text(json.dumps(notebook))
    weights = {"origin=notebook": 3.0, "origin=conventional": 1.0}
    model = Model(weights, {"none:bias": 0.0, "none:top.score": -10.0}, {}, (1.0, 0.0, 1.0, 0.0), 1.01)
    found = find_candidates(tmp_path)
    assert [c.origin for c in found.candidates] == ["notebook"]
    assert rank(found, model).none_probability == 0.5  # no runnable candidate to weigh
    (tmp_path / "evaluate.py").write_text("print('test accuracy', 0.9)\n")
    found = find_candidates(tmp_path)
    assert {c.origin for c in found.candidates} == {"notebook", "conventional"}
    assert rank(found, model).none_probability < 0.5  # the script counts


def test_the_mode_flag_of_a_command_or_of_what_its_script_launches_names_its_mode(tmp_path):
    # tsixta/jnet: the README runs `main.py ... --mode vis` (pictures); toyexample/eval.sh runs
    # `python3 ../main.py ... --mode eval --dataset_root DIC-C2DH-HeLa_training` (the evaluation,
    # on a folder whose name says training).
    (tmp_path / "toyexample").mkdir()
    (tmp_path / "main.py").write_text("import argparse\nparser = argparse.ArgumentParser()\nparser.parse_args()\n")
    (tmp_path / "toyexample" / "eval.sh").write_text(
        "python3 ../main.py --dt_bound 3 --mode eval --dataset_root DIC-C2DH-HeLa_training --output_dir results\n"
    )
    (tmp_path / "README.md").write_text(
        "## Example\n\nSegmentation results can be obtained by\n\n"
        "```\npython3 main.py --cuda --dt_bound 6 --mode vis --dataset_root /path/to/DIC-C2DH-HeLa_test\n```\n"
    )
    discovery = find_candidates(tmp_path)
    repo = RepoContext.of(discovery)
    shown = candidate_features(_by_command(discovery, "python3 main.py --cuda"), repo)
    launched = candidate_features(_by_command(discovery, "bash toyexample/eval.sh"), repo)
    assert "mode.other" in shown and "mode.eval" not in shown
    assert "mode.eval" in launched and "mode.train" not in launched
    # yicheng-w/CommonSenseMultiHopQA's Evaluation: `--mode generate_answers` first, then `--mode test`.
    first = Candidate(
        "python src/config.py --mode generate_answers",
        "",
        "doc-block",
        "README.md § Evaluation",
        "README.md",
        doc_order=0,
        script="src/config.py",
        args=("--mode", "generate_answers"),
    )
    test = replace(first, command="python src/config.py --mode=test", doc_order=1, args=("--mode=test",))
    assert "mode.infer" in candidate_features(first, repo) and "mode.eval" in candidate_features(test, repo)


def test_how_the_repos_other_scripts_use_a_script(tmp_path):
    # simonjisu/E2EMN: runtest.sh runs `python3 runtest.py -type ind -emd 20 -cuda`; ShangtongZhang/
    # DistributedES: utils.py, which the scripts import, runs something at the top level too.
    (tmp_path / "runtest.sh").write_text("python3 runtest.py -type ind -emd 20 -cuda\n")
    (tmp_path / "runtest.py").write_text(
        "import argparse\nfrom utils import load\nif __name__ == '__main__':\n    argparse.ArgumentParser()\n"
    )
    (tmp_path / "utils.py").write_text("import numpy as np\n\ndef load():\n    pass\n\nnp.random.seed(0)\n")
    discovery = find_candidates(tmp_path)
    repo = RepoContext.of(discovery)
    runtest = _by_command(discovery, "python runtest.py")
    utils = _by_command(discovery, "python utils.py")
    assert "launched" in runtest.traits and "imported" not in runtest.traits
    assert "imported" in utils.traits and "name.helper" in candidate_features(utils, repo)
    assert "name.helper" not in candidate_features(runtest, repo)
    assert "launched" not in _by_command(discovery, "bash runtest.sh").traits


def test_python_m_setup_tools_are_steps_not_candidates(tmp_path):
    # snhwang/p1_navigation_SNH's README: a kernel made for the course's notebooks, then the run.
    (tmp_path / "README.md").write_text(
        "## Setup\nCreate an IPython kernel for the `drlnd` environment:\n\n"
        '```\npython -m ipykernel install --user --name drlnd --display-name "drlnd"\n```\n\n'
        "## Run\n```\npython -m pipeline.evaluate\npython -m twine check dist/*\n```\n"
    )
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "evaluate.py").write_text("print('accuracy', 0.9)\n")
    commands = [c.command for c in find_candidates(tmp_path).candidates]
    assert "python -m pipeline.evaluate" in commands  # a repo module whose name starts like `pip`
    assert not any("ipykernel" in c or "twine" in c for c in commands)


def test_a_folder_named_as_dot_slash_path_is_not_a_program(tmp_path):
    # xinntao/ESRGAN's README: "Place the models in `./models`." — a folder of the repo, not `./models` to run.
    (tmp_path / "README.md").write_text(
        "2. Place your own **low-resolution images** in `./LR` folder.\n"
        "3. Download pretrained models. Place the models in `./models`.\n"
        "4. Run test.\n```\npython test.py\n```\n5. The results are in `./results` folder.\n"
    )
    for folder in ("LR", "models", "results"):
        (tmp_path / folder).mkdir()
    (tmp_path / "test.py").write_text("print('PSNR', 30.0)\n")
    commands = [c.command for c in find_candidates(tmp_path).candidates]
    assert commands[0] == "python test.py"
    assert not any(c.startswith(("./LR", "./models", "./results")) for c in commands)


def test_printing_a_variable_of_scores_prints_a_metric():
    # harryhan618/LaneNet test_tusimple.py: `eval_result = LaneEval.bench_one_submit(...)`, then
    # `print(eval_result)` and `print(eval_result, file=f)`: the benchmark's scores, on test data.
    text = "eval_result = LaneEval.bench_one_submit(out_path, gt_path)\nprint(eval_result)\n"
    assert {"prints_metric", "prints_held_out_metric"} <= set(code_traits(text))
    assert "prints_metric" in code_traits("with open(p, 'w') as f:\n    print(train_scores, file=f)\n")
    assert "prints_metric" not in code_traits("print(args)\nprint(model)\n")


def test_a_failure_reported_in_an_except_clause_is_no_metric():
    # oci-ai/oci-dreamer dream.py (labeled "nothing is evaluated"): its error handlers print
    # "IO error: {0}". Avmb/lowrank-gru's Python 2 scripts print their accuracy to stderr, a metric.
    handler = (
        "try:\n    run(args)\nexcept IOError as err:\n"
        '    print("IO error: {0}".format(err), file=sys.stderr)\n'
        "except:\n    print('Unexpected error:', sys.exc_info()[0])\n    raise\nprint('done')\n"
    )
    assert "prints_metric" not in code_traits(handler)
    assert "prints_metric" not in code_traits("logger.error('decode error %s' % err)\n")
    python2 = 'print >> sys.stderr, "VALIDATION"\nprint >> sys.stderr, "accurracy", valid_acc * 100\n'
    assert "prints_metric" in code_traits(python2)
    # The except clause ends where the code comes back to its indent.
    after = "try:\n    x = f()\nexcept ValueError:\n    x = 0\nprint('test accuracy: %.3f' % x)\n"
    assert "prints_held_out_metric" in code_traits(after)


def test_keras_metrics_given_per_output_are_printed_on_the_validation_data():
    # leekh7411/Capsule-Network-MNIST-Visualization train.py: `metrics={'capsnet': 'accuracy'}`,
    # fit() with the MNIST test set as validation_data: Keras prints val_capsnet_acc every epoch.
    train = (
        "train_model.compile(optimizer=optimizers.Adam(lr=LearningRate),\n"
        "                    loss=[margin_loss, 'mse'],\n                    metrics={'capsnet': 'accuracy'})\n"
        "train_model.fit([x_train, y_train], [y_train, x_train], batch_size=100, epochs=10,\n"
        "                validation_data=[[x_test, y_test], [y_test, x_test]])\n"
    )
    assert {"prints_metric", "prints_held_out_metric"} <= set(code_traits(train))
    split = "model.compile(loss='mse', metrics='mae')\nmodel.fit(x, y, validation_split=0.2)\n"
    assert "prints_held_out_metric" in code_traits(split)
    assert "prints_metric" not in code_traits("model.compile(loss='mse', metrics={'out': 'mae'})\nmodel.fit(x, y)\n")


def test_a_module_whose_top_level_runs_none_of_its_code_is_marked(tmp_path):
    # snhwang/p1_navigation_SNH (labeled "notebooks only"): dqn_agent.py defines the agent, trains
    # and scores it in methods the notebooks call; run, it only prints the device.
    (tmp_path / "README.md").write_text("# Navigation\n\nOpen the notebook `Navigation.ipynb` and run all.\n")
    (tmp_path / "dqn_agent.py").write_text(
        "import torch\nfrom model import QNet\n\nBUFFER_SIZE = int(1e6)\n"
        'device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")\nprint(device)\n\n'
        "class Agent():\n    def learn(self, experiences):\n        loss.backward()\n        self.optimizer.step()\n\n"
        "def load_and_run_agent(agent, env, checkpoint, n_episodes):\n"
        "    agent.qnetwork_local.load_state_dict(torch.load(checkpoint))\n"
        "    print('Average score: {:.2f}'.format(np.mean(scores)))\n"
    )
    (tmp_path / "model.py").write_text("import torch\nclass QNet(torch.nn.Module):\n    pass\n")
    # A flat script that calls what it defines is the work itself; what it imports from the module runs.
    (tmp_path / "run.py").write_text(
        "from dqn_agent import Agent\n\ndef main():\n    Agent().learn(None)\n    print('done')\n\nmain()\n"
    )
    found = find_candidates(tmp_path)
    agent = _by_command(found, "python dqn_agent.py")
    # Run, the module trains and scores nothing: its methods' traits are not the command's.
    assert "defines_only" in agent.traits and not {"trains", "prints_metric", "loads_checkpoint"} & set(agent.traits)
    run = _by_command(found, "python run.py")
    assert "defines_only" not in run.traits and "via:trains" in run.traits
    # The score the module prints is printed by the script that runs it (arsenzaryan/CapsNet's run.py
    # and mnist_capsnet.py): the repo still has a candidate that prints a metric.
    assert "via:prints_metric" in run.traits and RepoContext.of(found).any_prints_metric
    row = candidate_features(agent, RepoContext.of(found))
    assert none_features(RepoContext.of(found), top=row)["none:top|trait:defines_only"] == 1.0


def test_positional_words_a_script_reads_without_a_parser_are_required(tmp_path):
    # jlindsey15/DRAM (labeled "no instructions"): DRAM.py reads sys.argv[1] to sys.argv[15] and the
    # README gives no command. A word read only when given is optional.
    (tmp_path / "DRAM.py").write_text(
        "import sys\nimport tensorflow as tf\nload_file = sys.argv[1]\nsave_file = sys.argv[2]\n"
        "seed = sys.argv[3] if len(sys.argv) > 3 else 0\nprint('ACCURACY: ' + str(acc))\n"
    )
    found = find_candidates(tmp_path)
    dram = _by_command(found, "python DRAM.py")
    assert dram.required_missing == ("<sys.argv[1]>", "<sys.argv[2]>")
    assert "required-missing" in candidate_features(dram, RepoContext.of(found))


def test_a_script_that_writes_sound_writes_output():
    # keithito/tacotron (labeled "speech synthesis: nothing computes a metric"): synthesizer.py
    # writes the wav that eval.py asks for, as an image model's test.py writes pictures.
    synth = "def synthesize(self, text):\n    wav = self.session.run(self.wav_output)\n    audio.save_wav(wav, out)\n"
    assert "plots" in code_traits(synth)
    assert "plots" in code_traits("from scipy.io import wavfile\nwavfile.write(path, sr, y)\n")


def test_a_script_that_prints_the_metric_the_docs_report(tmp_path):
    # puppetect/TradingBot-tensorflow (labeled with `python run.py`, no command in the README):
    # the README gives the test run's "Total Reward: 64043.5"; run.py's agent (agents/dqn.py) prints
    # "mean 10 episode reward". A name in the code and in the docs is one metric (`metric_name`).
    (tmp_path / "README.md").write_text("# TradingBot\n\n## 测试\n\nTest set: Total Reward: 64043.5\n")
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "dqn.py").write_text(
        "class TradingDQN:\n    def learn(self, total_timesteps):\n"
        "        print('mean 10 episode reward    | {:.1f}'.format(mean_100ep_reward))\n"
        "        print('Total profit test         > {:.2f}'.format(test_episode_rewards))\n"
    )
    (tmp_path / "run.py").write_text(
        "from agents.dqn import TradingDQN\n\ndef dqn():\n    TradingDQN().learn(5000000)\n\n"
        "if __name__ == '__main__':\n    dqn()\n"
    )
    (tmp_path / "plot.py").write_text("import matplotlib.pyplot as plt\nprint('test accuracy: %.2f' % acc)\n")
    found = find_candidates(tmp_path)
    repo = RepoContext.of(found)
    assert repo.reported_names == {"reward"} and repo.any_prints_reported
    run = _by_command(found, "python run.py")
    assert "via:metric:reward" in run.traits
    row = candidate_features(run, repo)
    assert row["prints-reported-metric"] == 1.0 and not any("metric:" in name for name in row)
    assert "prints-reported-metric" not in candidate_features(_by_command(found, "python plot.py"), repo)
    assert none_features(repo, top=row)["none:top|prints-reported-metric"] == 1.0
    assert none_features(repo)["none:some-prints-reported-metric"] == 1.0
    # `acc`, `val_acc_top1` and "Accuracy" are one metric; a loss is none the docs report.
    assert "metric:accuracy" in code_traits("print('val_acc_top1: %.2f' % top1)\n")
    assert not any(t.startswith("metric:") for t in code_traits("print('test loss: %.3f' % loss)\n"))


def test_switches_run_together_before_m_run_a_module(tmp_path):
    # KatyNTsachi/Hierarchical-RL (google/dopamine's README): `python -um dopamine.discrete_domains.train`.
    (tmp_path / "README.md").write_text(
        "## Running tests\n\nTo run the basic DQN agent,\n\n```\npython -um dopamine.discrete_domains.train "
        "--base_dir=/tmp/dopamine --gin_files='dopamine/agents/dqn/configs/dqn.gin'\n```\n"
    )
    package = tmp_path / "dopamine" / "discrete_domains"
    package.mkdir(parents=True)
    for folder in (tmp_path / "dopamine", package):
        (folder / "__init__.py").write_text("")
    (package / "train.py").write_text("from absl import app\n\ndef main(argv):\n    pass\n\napp.run(main)\n")
    train = _by_command(find_candidates(tmp_path), "python -um dopamine.discrete_domains.train")
    assert train.module == "dopamine.discrete_domains.train" and train.script_exists


def test_a_folder_the_docs_name_as_a_folder_marks_the_scripts_in_it(tmp_path):
    # cooijmanstim/recurrent-batch-normalization: "The `experiments` directory contains shell scripts
    # that demonstrate how to launch the experiments"; its evaluate script at the root is named nowhere.
    (tmp_path / "README.md").write_text(
        "The `experiments` directory contains shell scripts that demonstrate\nhow to launch the experiments "
        "with the hyperparameters from the paper.\n"
    )
    (tmp_path / "experiments").mkdir()
    (tmp_path / "experiments" / "text8_lstm.sh").write_text('command="../../text8.py --lstm"\npython $command\n')
    (tmp_path / "penntreebank_evaluate.py").write_text("import argparse\nargparse.ArgumentParser().parse_args()\n")
    discovery = find_candidates(tmp_path)
    repo = RepoContext.of(discovery)
    assert repo.named_folders == {"experiments"}
    shell = _by_command(discovery, "bash experiments/text8_lstm.sh")
    assert "folder-named-in-docs" in candidate_features(shell, repo)
    evaluate = _by_command(discovery, "python penntreebank_evaluate.py")
    assert "folder-named-in-docs" not in candidate_features(evaluate, repo)


def test_a_script_in_a_folder_of_unit_tests_is_told_apart(tmp_path):
    # KatyNTsachi/Hierarchical-RL (google/dopamine): "Running tests ... You can test whether the
    # installation was successful" runs `tests/dopamine/atari_init_test.py`; the experiment is a module.
    (tmp_path / "README.md").write_text(
        "## Running tests\n\nYou can test whether the installation was successful by running the following:\n\n"
        "```\npython tests/dopamine/atari_init_test.py\n```\n\nTo run the basic DQN agent,\n\n"
        "```\npython -um dopamine.discrete_domains.train --base_dir=/tmp/dopamine\n```\n"
    )
    (tmp_path / "tests" / "dopamine").mkdir(parents=True)
    (tmp_path / "tests" / "dopamine" / "atari_init_test.py").write_text("import tensorflow as tf\ntf.test.main()\n")
    (tmp_path / "dopamine" / "discrete_domains").mkdir(parents=True)
    (tmp_path / "dopamine" / "discrete_domains" / "train.py").write_text("from absl import app\n")
    discovery = find_candidates(tmp_path)
    repo = RepoContext.of(discovery)
    unit = _by_command(discovery, "python tests/dopamine/atari_init_test.py")
    train = _by_command(discovery, "python -um dopamine.discrete_domains.train")
    assert "in-tests-folder" in candidate_features(unit, repo)
    assert "in-tests-folder" not in candidate_features(train, repo)
    assert "in-tests-folder" in candidate_features(
        replace(train, module="tests.agents.rainbow_agent_test", script=None), repo
    )


def test_the_values_the_code_compares_its_mode_flag_with_are_variants(tmp_path):
    # BAJUKA/SQuAD-NLP's code/main.py: `tf.app.flags.DEFINE_string("mode", "train", "Available modes:
    # train / show_examples / official_eval")` and `elif FLAGS.mode == "official_eval":`.
    (tmp_path / "main.py").write_text(
        "import tensorflow as tf\n"
        'tf.app.flags.DEFINE_string("mode", "train", "Available modes: train / show_examples / official_eval")\n'
        "FLAGS = tf.app.flags.FLAGS\n\ndef main(unused_argv):\n"
        '    if FLAGS.mode == "train":\n        pass\n    elif FLAGS.mode == "official_eval":\n        pass\n'
        "\nif __name__ == '__main__':\n    tf.app.run()\n"
    )
    (tmp_path / "run.py").write_text(
        "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--phase', default='train')\n"
        "args = parser.parse_args()\nif args.phase in ('test', 'val'):\n    pass\n"
    )
    commands = {c.command for c in find_candidates(tmp_path).candidates}
    assert {
        "python main.py --mode official_eval",
        "python run.py --phase test",
        "python run.py --phase val",
    } <= commands
    assert "python main.py --mode train" not in commands


def test_a_sub_readme_the_readme_links_on_a_github_enterprise_host_is_linked(tmp_path):
    # aditya30394/Person-Re-Identification: "READ THIS FOR MORE INFORMATION : [Pose Normalized
    # Training](https://github.tamu.edu/aditya30394/Person-Re-Identification/blob/master/deep-person-reid/README.md)";
    # "Layumi Baseline/README.md" is read only because it sits one folder down.
    (tmp_path / "README.md").write_text(
        "# Person-Re-Identification\n\nREAD THIS FOR MORE INFORMATION : [Pose Normalized Training]"
        "(https://github.tamu.edu/aditya30394/Person-Re-Identification/blob/master/deep-person-reid/README.md)\n"
    )
    for folder, command in (
        ("deep-person-reid", "python train_imgreid_xent.py --evaluate"),
        ("layumi", "python evaluate.py"),
    ):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "README.md").write_text(f"## Test\n\n```\n{command}\n```\n")
    discovery = find_candidates(tmp_path)
    repo = RepoContext.of(discovery)
    assert repo.linked_docs == {"deep-person-reid/README.md"}
    linked = candidate_features(_by_command(discovery, "python train_imgreid_xent.py"), repo)
    unlinked = candidate_features(_by_command(discovery, "python evaluate.py"), repo)
    assert "doc.linked" in linked and "doc.unlinked" in unlinked


def test_a_module_not_found_is_read_by_its_own_name():
    # liyaguang/DCRNN: `python -m scripts.eval_baseline_methods ...`; read as a path, not as a file
    # `scripts.eval_baseline_methods` whose suffix is `.eval_baseline_methods`.
    repo = RepoContext(1, 1, 0, "", "repo", 1, False)
    module = Candidate(
        "python -m scripts.eval_baseline_methods --traffic_reading_filename=data/metr-la.h5",
        "",
        "doc-block",
        "README.md § Eval baseline methods",
        "README.md",
        doc_order=7,
        module="scripts.eval_baseline_methods",
        args=("--traffic_reading_filename=data/metr-la.h5",),
    )
    assert {"tok.eval", "tok.baseline"} <= set(candidate_features(module, repo))


def test_a_flag_that_turns_training_off_is_read_for_the_mode_it_turns_off():
    # roatienza/densemapnet's Testing: "To measure EPE using test set: `python3 predictor.py
    # --dataset=driving --num_dataset=4 --weights=... --notrain`"; perslev/MultiPlanarUNet's `--no_eval`.
    assert "flag-off.train" in _features_of("python3 predictor.py --notrain", ("--notrain",))
    assert "flag-off.eval" in _features_of("mp predict --no_eval", ("predict", "--no_eval"))
    assert not any(k.startswith("flag-off") for k in _features_of("python a.py --noise 1", ("--noise", "1")))


def test_unit_tests_in_a_suffixed_tests_folder_are_no_candidates_a_described_switch_is_named(tmp_path):
    # openai/cleverhans: `tests_tf/test_projected_gradient_descent.py` (unittest) sits beside the
    # tutorials. KeAWang/BayesianGAN4AdversarialAttacks' README describes "`--adv_test`: Creates an
    # adversarial testing set ... and runs classification and detection accuracy".
    (tmp_path / "tests_tf").mkdir()
    (tmp_path / "tests_tf" / "test_projected_gradient_descent.py").write_text(
        "import unittest\n\nclass TestPGD(unittest.TestCase):\n    pass\n\nif __name__ == '__main__':\n"
        "    unittest.main()\n"
    )
    (tmp_path / "bayesian_gan_hmc.py").write_text(
        "import argparse\nparser = argparse.ArgumentParser()\n"
        "parser.add_argument('--adv_test', action='store_true')\nargs = parser.parse_args()\n"
    )
    (tmp_path / "README.md").write_text(
        "## Adversarial Testing Options\n\n- `--adv_test`: Creates an adversarial testing set and runs "
        "classification and detection accuracy.\n"
    )
    discovery = find_candidates(tmp_path)
    assert not any("test_projected" in c.command for c in discovery.candidates)
    repo = RepoContext.of(discovery)
    switch = _by_command(discovery, "python bayesian_gan_hmc.py --adv_test")
    plain = next(c for c in discovery.candidates if c.command == "python bayesian_gan_hmc.py")
    assert "switch-named-in-docs" in candidate_features(switch, repo)
    assert "switch-named-in-docs" not in candidate_features(plain, repo)


def _calls_char_by_char(text: str, name: str) -> list[str]:
    """What `_calls` gives, the slow way: every character after `name(` until the parentheses balance
    or 1500 characters have passed."""
    import re

    out = []
    for match in re.finditer(rf"{name}\s*\(", text):
        depth, i = 1, match.end()
        while i < len(text) and depth and i - match.end() < 1500:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[match.end() : i - 1])
    return out


@pytest.mark.parametrize(
    "text",
    [
        "parser.add_argument('--lr', type=float, default=float('1e-3'))\nf(",
        "x.add_argument(",  # the text ends at the call
        "x.add_argument('--a', help='(unclosed'",
        "x.add_argument(" + "a(" * 900 + ")" * 10,  # never balanced within 1500 characters
        "x.add_argument(" + "b" * 1498 + ")",
        "x.add_argument(" + "b" * 1499 + ")",
    ],
)
def test_calls_argument_text_matches_a_character_scan(text: str) -> None:
    from scout.baseline.discover.candidates import _calls

    assert _calls(text, r"\.add_argument") == _calls_char_by_char(text, r"\.add_argument")
