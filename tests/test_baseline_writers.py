"""What another script of a repo writes, and the needs it meets (scout/baseline/discover/writers.py).
Shapes from corpus repos, named where used."""

from __future__ import annotations

from pathlib import Path

from scout.baseline.discover.writers import Written, writer_of, writes
from tests.test_baseline_needs import needs_of, write

# Chillee/CorrectAndSmoothOGB@b910314a59270984f5e249462ee3faa815fc9a0c: outcome_correlation.py makes
# the folder gen_models.py saves each run's predictions to; run_experiments.py globs them.
PREPARE_FOLDER = (
    "def prepare_folder(name, model):\n"
    "    model_dir = f'models/{name}'\n"
    "    if os.path.exists(model_dir):\n"
    "        shutil.rmtree(model_dir)\n"
    "    os.makedirs(model_dir)\n"
    "    with open(f'{model_dir}/metadata', 'w') as f:\n"
    "        f.write('x')\n"
    "    return model_dir\n"
)
RUN_EXPERIMENTS = (
    "import glob\nimport argparse\n"
    "parser = argparse.ArgumentParser()\n"
    "parser.add_argument('--dataset', type=str, default='arxiv')\n"
    "parser.add_argument('--method', type=str, default='lp')\n"
    "args = parser.parse_args()\n"
    "model_outs = glob.glob(f'models/{args.dataset}_{args.method}/*.pt')\n"
)


def test_a_folder_made_with_a_name_assigned_in_the_file():
    found = writes("outcome_correlation.py", PREPARE_FOLDER)
    assert Written("outcome_correlation.py", "models/*", True) in found
    assert writer_of("models/{args.dataset}_{args.method}/*.pt", found) == "outcome_correlation.py"


def test_a_file_saved_under_its_name():
    # HoganZhang/Person_reID_baseline_pytorch@6849c7186a79f4ebe8455a1004e12bcf2239980c test.py
    found = writes("test.py", "result = {'gallery_f': gf}\nscipy.io.savemat('pytorch_result.mat',result)\n")
    assert writer_of("pytorch_result.mat", found) == "test.py"
    assert writer_of("other_result.mat", found) is None


def test_reads_and_unnamed_writes_are_not_writers():
    text = "x = open('data/train.txt')\ntorch.save(best_out, f'{model_dir}/{run}.pt')\nnp.load('a/b.npy')\n"
    assert writes("gen_models.py", text) == []  # `*/*.pt` names nothing


def test_the_need_says_which_script_writes_it(tmp_path):
    repo = write(tmp_path, {"run_experiments.py": RUN_EXPERIMENTS, "outcome_correlation.py": PREPARE_FOLDER})
    needs = needs_of(repo, "python run_experiments.py --dataset arxiv --method gat")
    (ckpt,) = [n for n in needs if n.kind == "checkpoint"]
    assert ckpt.blocking and "outcome_correlation.py writes it: run that first" in ckpt.detail


def test_a_file_another_script_writes(tmp_path: Path):
    repo = write(
        tmp_path,
        {
            "evaluate.py": "import scipy.io\nresult = scipy.io.loadmat('pytorch_result.mat')\n",
            "test.py": "import scipy.io\nscipy.io.savemat('pytorch_result.mat', {})\n",
        },
    )
    (data,) = [n for n in needs_of(repo, "python evaluate.py") if n.kind == "dataset"]
    assert "test.py writes it: run that first" in data.detail
    assert not [n for n in needs_of(repo, "python test.py") if n.kind in ("dataset", "checkpoint")]


# HoganZhang/Person_reID_baseline_pytorch@6849c7186a79f4ebe8455a1004e12bcf2239980c: evaluate.py loads the
# features test.py extracts with trained weights that only train.py writes.
HOGAN = {
    "evaluate.py": "import scipy.io\nresult = scipy.io.loadmat('pytorch_result.mat')\n",
    "test.py": (
        "import torch, os, scipy.io\n"
        "name = 'ft_ResNet50'\n"
        "def load_network(network):\n"
        "    save_path = os.path.join('./model',name,'net_%s.pth'%opt.which_epoch)\n"
        "    network.load_state_dict(torch.load(save_path))\n"
        "    return network\n"
        "scipy.io.savemat('pytorch_result.mat',result)\n"
    ),
    "model/ft_ResNet50/opts.yaml": "name: ft_ResNet50\n",
}


def test_a_path_joined_from_a_written_in_folder(tmp_path):
    repo = write(tmp_path, HOGAN)
    (ckpt,) = [n for n in needs_of(repo, "python test.py") if n.kind == "checkpoint"]
    assert ckpt.blocking and "./model/*/net_*.pth" in ckpt.detail


def test_the_earlier_steps_weights_are_this_runs_need(tmp_path):
    repo = write(tmp_path, HOGAN)
    needs = needs_of(repo, "python evaluate.py")
    (ckpt,) = [n for n in needs if n.kind == "checkpoint"]
    assert ckpt.blocking and ckpt.detail.startswith("for test.py (run first): ")
