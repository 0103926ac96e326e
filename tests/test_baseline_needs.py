"""What a run needs, read from what actually runs (scout/baseline/discover/needs.py, traced.py).

Each fixture is a few lines of a dev-split corpus repo (bench/corpus/labels), cut down, with the
repo and commit it comes from; the expectations are what that repo's label says."""

from __future__ import annotations

import shlex
from pathlib import Path

from scout.baseline.discover.links import link_kind
from scout.baseline.discover.needs import Need, find_needs
from scout.baseline.discover.plan import command_kind
from scout.baseline.discover.traced import follow
from tests.sync import GUARD_S


def needs_of(repo: Path, command: str, *, cwd: str = "", kind: str = "eval", docs: str = "", **kw) -> list[Need]:
    return find_needs(
        command,
        repo_dir=repo,
        cwd=cwd,
        kind=kind,
        docs_text=docs,
        environ=kw.pop("environ", {}),
        has_gpu=kw.pop("has_gpu", False),
        script=None,
        docs=[("README.md", docs)],
        which=kw.pop("which", lambda program: None),  # a fresh machine: no th, matlab, gcloud
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def kinds(needs: list[Need], blocking: bool = True) -> set[str]:
    return {need.kind for need in needs if need.blocking == blocking}


def test_gpu_in_a_module_the_command_starts(tmp_path):
    # AtheMathmo/AggMo@f91730d1 src/main.py: `model.cuda()` unconditional, batches only under `if config['cuda']`.
    repo = write(
        tmp_path,
        {
            "src/main.py": (
                "from utils import get_data_loaders\n\ndef train(config):\n    model = build(config)\n\n"
                "    model.cuda()\n\n    def on_sample(state):\n        if config['cuda']:\n"
                "            state['sample'] = [x.cuda() for x in state['sample']]\n"
            ),
            "src/utils.py": "from torchvision import datasets\nd = datasets.CIFAR10(path, download=True)\n",
            "src/configs/ae.json": '{"cuda": true}\n',
        },
    )
    needs = needs_of(repo, "python main.py configs/ae.json --optim aggmo", cwd="src", kind="train")
    [gpu] = [n for n in needs if n.kind == "gpu"]
    assert gpu.blocking and "src/main.py:6" in gpu.detail and "needs a GPU" in gpu.detail
    assert not any(n.blocking for n in needs if n.kind == "dataset")  # torchvision downloads it
    assert not [n for n in needs_of(repo, "python main.py configs/ae.json", cwd="src", has_gpu=True) if n.kind == "gpu"]


def test_gpu_behind_a_choice_or_a_flag_is_not_blocking(tmp_path):
    # dalab/deep-ed@3088fc35 ed/args.lua, utils/utils.lua, ed/test/test_one_loaded_model.lua (Torch7).
    repo = write(
        tmp_path,
        {
            "ed/test/test_one_loaded_model.lua": (
                "require 'torch'\nrequire 'tds'\ndofile 'utils/utils.lua'\ndofile 'ed/args.lua'\n"
                "if string.find(opt.type, 'cuda') then\n  require 'cunn'\n  cutorch.setDevice(1)\nend\n"
            ),
            "utils/utils.lua": (
                "function correct_type(data)\n  if opt.type == 'float' then return data:float()\n"
                "  elseif string.find(opt.type, 'cuda') then return data:cuda()\n  end\nend\n"
            ),
            "ed/args.lua": (
                "cmd = torch.CmdLine()\ncmd:option('-type', 'cudacudnn', 'Type: cuda | float | cudacudnn')\n"
            ),
        },
    )
    command = (
        "CUDA_VISIBLE_DEVICES=0 th ed/test/test_one_loaded_model.lua -root_data_dir $DATA_PATH -model global "
        "-ent_vecs_filename $ENTITY_VECS -test_one_model_file $ED_MODEL_FILENAME"
    )
    needs = needs_of(repo, command)
    gpu = [n for n in needs if n.kind == "gpu"]
    assert [n.blocking for n in gpu] == [False] and "-type" in gpu[0].detail  # `-type float` is the CPU path
    system = [n for n in needs if n.kind == "system"]
    assert system and system[0].blocking and "Torch7" in system[0].detail and "tds" in system[0].detail
    keys = {n.key for n in needs if n.kind == "placeholder"}
    assert {"DATA_PATH", "ENTITY_VECS", "ED_MODEL_FILENAME"} <= keys
    assert {"checkpoint", "dataset"} <= kinds(needs)  # -test_one_model_file, -root_data_dir
    assert not [n for n in needs_of(repo, command, which=lambda p: "/usr/bin/th") if n.kind == "system"]


def test_a_mere_gpu_flag_does_not_silence_cuda(tmp_path):
    # floodsung/LearningToCompare_FSL omniglot_test_one_shot.py shape: a `-g/--gpu` flag, then `.cuda(GPU)`.
    repo = write(
        tmp_path,
        {
            "omniglot/test.py": (
                "parser.add_argument('-g','--gpu',type=int, default=0)\nargs = parser.parse_args()\nGPU = args.gpu\n"
                "def main():\n    feature_encoder = CNNEncoder()\n    feature_encoder.cuda(GPU)\n"
            )
        },
    )
    assert "gpu" in kinds(needs_of(repo, "python test.py -w 5 -s 1", cwd="omniglot"))


def test_checkpoint_as_a_hydra_override_placeholder(tmp_path):
    # facebookresearch/pythia@b8f4591d website/docs/challenges/vqa_challenge.md § Evaluation.
    repo = write(
        tmp_path,
        {
            "mmf_cli/run.py": "def run():\n    pass\n",
            "setup.py": "entry_points={'console_scripts': ['mmf_run=mmf_cli.run:run']}\n",
        },
    )
    command = (
        "mmf_run config=projects/visual_bert/configs/vqa2/defaults.yaml model=visual_bert dataset=vqa2 "
        "run_type=val checkpoint.resume_file=<path_to_trained_model>"
    )
    needs = needs_of(repo, command)
    assert [(n.kind, n.key) for n in needs if n.blocking][:2] == [
        ("placeholder", "checkpoint.resume_file"),
        ("checkpoint", "checkpoint.resume_file"),
    ]
    assert needs[0].to_json() == {
        "kind": "placeholder",
        "detail": "`<path_to_trained_model>` (in checkpoint.resume_file): pass --set checkpoint.resume_file=VALUE",
        "key": "checkpoint.resume_file",
        "blocking": True,
    }
    assert [s.path for s in follow(command, repo)] == ["mmf_cli/run.py"]  # the console script's module


def test_checkpoint_folder_only_training_writes_and_data_the_docs_fetch(tmp_path):
    # tbullmann/imagetranslation-tensorflow@12fadd69 README.md § Getting Started.
    docs = (
        "```sh\n# download the CMP Facades dataset\npython tools/download-dataset.py facades datasets\n```\n"
        "Train the model\n```sh\npython translate.py \\\n  --model pix2pix \\\n  --mode train \\\n"
        "  --output_dir temp/facades_train \\\n  --input_dir datasets/facades/train\n```\n"
    )
    repo = write(tmp_path, {"translate.py": 'parser.add_argument("--checkpoint", default=None)\n'})
    command = (
        "python translate.py --model pix2pix --mode test --output_dir temp/facades_test "
        "--input_dir datasets/facades/val --checkpoint temp/facades_train"
    )
    by_kind = {n.kind: n for n in needs_of(repo, command, docs=docs)}
    assert set(by_kind) == {"dataset", "checkpoint"} and all(n.blocking for n in by_kind.values())
    assert (
        "only training writes it: run `python translate.py --model pix2pix --mode train" in by_kind["checkpoint"].detail
    )
    assert "python tools/download-dataset.py facades datasets" in by_kind["dataset"].detail


def test_yacs_pair_and_a_weights_file_name(tmp_path):
    # tianzhi0549/FCOS@a773f128 README.md § Inference.
    docs = (
        "wget https://huggingface.co/tianzhi/FCOS/resolve/main/FCOS_imprv_R_50_FPN_1x.pth?download=true "
        "-O FCOS_imprv_R_50_FPN_1x.pth\n"
    )
    repo = write(
        tmp_path, {"tools/test_net.py": "import argparse\n", "configs/fcos/x.yaml": "MODEL:\n  META_ARCHITECTURE: x\n"}
    )
    needs = needs_of(
        repo,
        "python tools/test_net.py --config-file configs/fcos/x.yaml MODEL.WEIGHT FCOS_imprv_R_50_FPN_1x.pth",
        docs=docs,
    )
    [ckpt] = [n for n in needs if n.kind == "checkpoint"]
    assert ckpt.blocking and "MODEL.WEIGHT FCOS_imprv_R_50_FPN_1x.pth" in ckpt.detail
    assert "huggingface.co/tianzhi/FCOS" in ckpt.detail


def test_linked_files_are_classified_by_their_context():
    # xinpingwang/tf-faster-rcnn@b70382b3 README.md, WERimagin/baseline_CoQA@d11d1928 README.md,
    # yaq007/Autofocus-Layer README.md: a .tar.gz is a backbone, embeddings, data or the model by its words.
    vgg = "http://download.tensorflow.org/models/vgg_16_2016_08_28.tar.gz"
    assert (
        link_kind(
            vgg,
            "Download pre-trained models and weights. The current code support VGG16 and Resnet V1 "
            "models. Pre-trained models are provided by slim, you can get the pre-trained models here",
        )
        != "model"
    )
    assert (
        link_kind(vgg, "## Train your own model\n1. Download pre-trained models and weights (ImageNet)") == "backbone"
    )
    assert link_kind("http://nlp.stanford.edu/data/wordvecs/glove.840B.300d.zip", "Download GloVe") == "embeddings"
    assert (
        link_kind(
            "http://cseweb.ucsd.edu/~yaq007/dataset.zip", "A small subset of the BRATS dataset is provided [here]"
        )
        == "dataset"
    )
    assert (
        link_kind("http://cseweb.ucsd.edu/~yaq007/models.tar.gz", "All the trained models can be downloaded [here]")
        == "model"
    )


def test_an_evaluation_without_weights_names_only_a_released_model(tmp_path):
    # xinpingwang/tf-faster-rcnn@b70382b3: the only .tar.gz links are ImageNet backbones (not_checkpoints).
    docs = (
        "## Train your own model\n1. Download pre-trained models and weights (ImageNet).\n"
        "   wget -v http://download.tensorflow.org/models/vgg_16_2016_08_28.tar.gz\n"
    )
    repo = write(tmp_path, {"tools/test_net.py": "import sys\n"})
    assert not [n for n in needs_of(repo, "python tools/test_net.py", docs=docs) if n.kind == "checkpoint"]


def test_shell_script_case_branches_and_the_python_it_starts(tmp_path):
    # xinpingwang/tf-faster-rcnn@b70382b3 experiments/scripts/test_faster_rcnn.sh, lib/nms (Cython, `make`).
    script = (
        "#!/bin/bash\nGPU_ID=$1\nDATASET=$2\nNET=$3\ncase ${DATASET} in\n  pascal_voc)\n"
        '    TRAIN_IMDB="voc_2007_trainval"\n    ITERS=70000\n    ;;\n  pascal_voc_0712)\n'
        '    TRAIN_IMDB="voc_2007_trainval+voc_2012_trainval"\n    ITERS=110000\n    ;;\nesac\n'
        "CUDA_VISIBLE_DEVICES=${GPU_ID} time python ./tools/test_net.py \\\n"
        "    --model output/${NET}/${TRAIN_IMDB}/default/${NET}_faster_rcnn_iter_${ITERS}.ckpt \\\n    --net ${NET}\n"
    )
    repo = write(
        tmp_path,
        {
            "experiments/scripts/test_faster_rcnn.sh": script,
            "tools/test_net.py": "import _init_paths\nfrom model.test import test_net\n",
            "tools/_init_paths.py": "this_dir = osp.dirname(__file__)\nlib_path = osp.join(this_dir, '..', 'lib')\n",
            "lib/model/test.py": "from nms.gpu_nms import gpu_nms\n",
            "lib/nms/gpu_nms.pyx": "",
            "lib/Makefile": "all:\n\tpython setup.py build_ext --inplace\n",
        },
    )
    command = "./experiments/scripts/test_faster_rcnn.sh 0 pascal_voc_0712 res101"
    assert [s.path for s in follow(command, repo)] == [
        "experiments/scripts/test_faster_rcnn.sh",
        "tools/test_net.py",
        "lib/model/test.py",  # found through the folder _init_paths puts on sys.path
        "tools/_init_paths.py",
    ]
    docs = (
        "Build the Cython modules\n```\nmake clean\nmake\ncd ..\n```\n"
        "Download pre-trained model\n```Shell\n# Resnet101 for voc pre-trained on 07+12 set\n"
        "./data/scripts/fetch_faster_rcnn_models.sh\n```\n"
    )
    needs = needs_of(repo, command, docs=docs)
    [ckpt] = [n for n in needs if n.kind == "checkpoint"]
    assert "res101/voc_2007_trainval+voc_2012_trainval/default/res101_faster_rcnn_iter_110000.ckpt" in ckpt.detail
    assert "the docs fetch trained weights (README.md): ./data/scripts/fetch_faster_rcnn_models.sh" in ckpt.detail
    [system] = [n for n in needs if n.kind == "system"]
    assert "lib/nms" in system.detail and "`make clean`" in system.detail


def test_flag_default_path_that_is_absent_with_the_docs_download(tmp_path):
    # ishalyminov/memn2n@4a0459b7 single.py and README.md § Get Started.
    repo = write(
        tmp_path,
        {
            "single.py": (
                'tf.flags.DEFINE_string("data_dir", "data/tasks_1-20_v1-2/en/", "Directory containing bAbI tasks")\n'
            )
        },
    )
    docs = "```\nmkdir ./memn2n/data/\ncd ./memn2n/data/\nwget http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz\n```\n"
    [need] = needs_of(repo, "python single.py", docs=docs, kind="train")
    assert need.kind == "dataset" and need.blocking and "wget http://www.thespermwhale.com" in need.detail
    assert not needs_of(repo, "python single.py --data_dir /data/babi/en/", docs=docs, kind="train")[0].blocking


def test_a_path_template_filled_by_the_commands_argument(tmp_path):
    # yao8839836/text_gcn@96222365 utils.py load_corpus(): other datasets' files are there, not 20ng's.
    repo = write(
        tmp_path,
        {
            "train.py": "import sys\nfrom utils import *\ndataset = sys.argv[1]\n",
            "utils.py": (
                "def load_corpus(dataset_str):\n"
                "    with open(\"data/ind.{}.{}\".format(dataset_str, name), 'rb') as f:\n        pass\n"
            ),
            "data/ind.citeseer.x": "",
        },
    )
    assert "dataset" in kinds(needs_of(repo, "python train.py 20ng", kind="train"))
    write(tmp_path, {"data/ind.20ng.x": ""})
    assert not needs_of(repo, "python train.py 20ng", kind="train")


def test_words_that_look_like_flags_are_arguments_without_a_parser(tmp_path):
    # simonjisu/E2EMN@b4c77bb2 runtest.py reads sys.argv by hand: `-type ind -emd 20` are argv[1..4].
    text = "import sys\ntrain_type = sys.argv[2]\nemd = int(sys.argv[4])\n"
    repo = write(tmp_path, {"runtest.py": text})
    assert "placeholder" not in kinds(needs_of(repo, "python3 runtest.py -type ind -emd 20 -cuda"))
    assert "placeholder" in kinds(needs_of(repo, "python3 runtest.py -type ind"))


def test_arguments_the_command_leaves_out(tmp_path):
    # ManuelVs/NNForTextClassification@464a8acb tests/fen/kim_tf.py; DediGadot/PatchBatch@0162117a benchmark_kitti.py.
    repo = write(
        tmp_path,
        {
            "tests/fen/kim_tf.py": "import sys\nfilePathEncodedTREC = sys.argv[1]\nfilePathWord2vec = sys.argv[2]\n",
            "benchmark_kitti.py": (
                "parser.add_argument('images_path', help='Path to KITTI flow images')\n"
                "parser.add_argument('gt_path')\nparser.add_argument('model_name', help='PatchBatch model name')\n"
            ),
        },
    )
    [placeholder] = [n for n in needs_of(repo, "python tests/fen/kim_tf.py") if n.kind == "placeholder"]
    assert placeholder.blocking and "filePathEncodedTREC, filePathWord2vec" in placeholder.detail
    assert {"placeholder", "dataset", "checkpoint"} <= kinds(needs_of(repo, "python benchmark_kitti.py"))
    # An argument read only when given, and awk's own $1, are not left out.
    write(
        repo,
        {
            "opt.py": "import sys\nname = sys.argv[1] if len(sys.argv) > 1 else 'mnist'\n",
            "gpus.sh": "N=$(nvidia-smi -L | awk '{print $1}' | wc -l)\npython opt.py\n",
        },
    )
    assert not needs_of(repo, "bash gpus.sh")


def test_placeholders_of_every_shape(tmp_path):
    # facebook/fb.resnet.torch@985e569d README.md; h4veFunCodin9/Aligned_ReID@8b190cd7 README.md;
    # deepmind/scalable_agent@6c0c8a70 README.md § Test Score.
    repo = write(tmp_path, {"main.lua": "require 'torch'\n", "script/experiment/train.py": "", "experiment.py": ""})
    shapes = {
        "th main.lua -data [imagenet-folder with train and val folders]": (
            "[imagenet-folder with train and val folders]"
        ),
        "python script/experiment/train.py --only_test true --exp_dir SPECIFY_AN_EXPERIMENT_DIRECTORY_HERE": (
            "SPECIFY_AN_EXPERIMENT_DIRECTORY_HERE"
        ),
        "python experiment.py --mode=test --level_name=dmlab30 --dataset_path=[...]": "[...]",
        "python experiment.py --mode=test --dataset_path ...": "...",
        "python script/experiment/train.py --data /path/to/coco": "/path/to/coco",
        "python script/experiment/train.py --weights <PATH/TO/WEIGHTS>": "<PATH/TO/WEIGHTS>",
    }
    for command, text in shapes.items():
        found = [n for n in needs_of(repo, command) if n.kind == "placeholder"]
        assert found and f"`{text}`" in found[0].detail and found[0].blocking, command


def test_python_that_shells_out_to_the_cloud(tmp_path):
    # gofynd/mildnet@aa4de3d4 execute.py, gcloud.local.run.keras.sh, settings.cfg.
    repo = write(
        tmp_path,
        {
            "execute.py": (
                "import os\nif not os.environ[\"MILDNET_JOB_DIR\"]:\n    print('Job directory is needed')\n"
                'command = "sh gcloud.{}.run.keras.sh {} {}".format(env, conf, name)\nos.system(command)\n'
            ),
            "gcloud.local.run.keras.sh": (
                "source settings.cfg\ngcloud ml-engine local train \\\n--module-name trainer.task \\\n"
                "-- \\\n--data-path=$MILDNET_DATA_PATH\n"
            ),
            "settings.cfg": "MILDNET_JOB_DIR=\nMILDNET_DATA_PATH=gs://fynd-open-source/research/MILDNet/\n",
        },
    )
    needs = needs_of(repo, "python execute.py", kind="train")
    assert {"system", "credential", "dataset", "placeholder"} <= kinds(needs)
    assert any(n.kind == "placeholder" and "settings.cfg leaves MILDNET_JOB_DIR empty" in n.detail for n in needs)


def test_environment_variables_and_credentials(tmp_path):
    # tianzhi0549/FCOS@a773f128 docker/docker-jupyter/jupyter_notebook_config.py reads $PASSWORD with no default.
    # No dev repo writes a key into its source; the `API_KEY = "YOUR_KEY"` shape is the one issue 21 names.
    repo = write(
        tmp_path,
        {
            "config.py": "import os\npassword = os.environ['PASSWORD']\nroot = os.getenv('DATA_ROOT')\n",
            "ask.py": 'import openai\nopenai.api_key = "YOUR_API_KEY"\nKEY = os.environ.get("HOME")\n',
        },
    )
    needs = needs_of(repo, "python config.py")
    assert [(n.kind, n.blocking) for n in needs] == [("credential", True), ("env", False)]
    assert "export PASSWORD=" in needs[0].detail and "export DATA_ROOT=" in needs[1].detail
    assert not needs_of(repo, "python config.py", environ={"PASSWORD": "x", "DATA_ROOT": "/d"})
    [secret] = needs_of(repo, "python ask.py")
    assert secret.kind == "credential" and secret.blocking and "openai.api_key" in secret.detail


def test_simulators_and_compiled_ops(tmp_path):
    # deepmind/scalable_agent@6c0c8a70 environments.py, dynamic_batching.py; joshiatul/game_playing@59f48b8f
    # environments/environment.py (gym Atari).
    repo = write(
        tmp_path,
        {
            "experiment.py": (
                "import environments\nimport dynamic_batching\n"
                "flags.DEFINE_string('logdir', '/tmp/agent', 'TensorFlow log directory.')\n"
                "def test(action_set, level_names):\n    with tf.train.SingularMonitoredSession(\n"
                "        checkpoint_dir=FLAGS.logdir,\n        hooks=[]) as session:\n        pass\n"
            ),
            "environments.py": "import deepmind_lab\n",
            "dynamic_batching.py": (
                "batcher_ops = tf.load_op_library(\n"
                "    os.path.join(tf.resource_loader.get_data_files_path(), './batcher.so'))\n"
            ),
            "play.py": "from environments.environment import Environment\n",
            "environments/__init__.py": "",
            "environments/environment.py": (
                "import gym\nclass Environment:\n    def __init__(self):\n        self.env = gym.make('Breakout-v0')\n"
            ),
        },
    )
    needs = needs_of(repo, "python experiment.py --mode=test")
    assert {"simulator", "system"} <= kinds(needs) and any("batcher.so" in n.detail for n in needs)
    # In an evaluation the folder weights are restored from is the checkpoint, whatever its flag's name.
    assert any(n.kind == "checkpoint" and "logdir defaults to /tmp/agent" in n.detail for n in needs)
    assert not [n for n in needs_of(repo, "python experiment.py", kind="train") if n.kind == "checkpoint"]
    assert any("Atari ROMs" in n.detail for n in needs_of(repo, "python play.py"))


def test_matlab_and_the_authors_paths(tmp_path):
    # RezaSadeghiWSU/Early-Hospital-Mortality-Prediction-using-Vital-Signals@6aa8e691 Classification/Main.m;
    # Atomu2014/product-nets-distributed@006718b4 pnn/__init__.py.
    repo = write(
        tmp_path,
        {
            "Classification/Main.m": "clc; clear;\nload('HRRepository_OneHour.mat');\n",
            "pnn/tf_main.py": "from __init__ import *\n",
            "pnn/__init__.py": "config = {}\nconfig['data_path'] = '/home/kevin/nas/dataset/Ads-RecSys-Datasets'\n",
        },
    )
    assert kinds(needs_of(repo, "matlab Main", cwd="Classification")) == {"system", "dataset"}
    # Its 'Catching data and preprocessing/Readme.md': the MIMIC-III records sit behind a PhysioNet login.
    gated = "Please note that you should sign in physionet.org befor running the code.\n"
    gated += "The waveform records of target patients is downloaded from the Matching subset of MIMIC-III.\n"
    assert "credential" in kinds(needs_of(repo, "matlab Main", cwd="Classification", docs=gated))
    assert {"placeholder", "dataset"} <= kinds(needs_of(repo, "python tf_main.py --dataset=criteo", cwd="pnn"))


def test_reading_is_bounded(tmp_path):
    # A script that imports 200 of the repo's modules: the walk stops at its file budget.
    files = {"main.py": "".join(f"import m{i}\n" for i in range(200))}
    files |= {f"m{i}.py": "x = 1\n" for i in range(200)}
    repo = write(tmp_path, files)
    assert len(follow("python main.py", repo)) <= 40


def test_a_gpu_the_docs_require_when_the_code_says_nothing(tmp_path):
    # CKRC24/Listen-and-Translate@41f0f670 README.md; the Keras code never names a device.
    repo = write(
        tmp_path, {"final.sh": "python3 src/retrieval_predict.py $1\n", "src/retrieval_predict.py": "import keras\n"}
    )
    docs = "In addition, it is required to use **GPU** to run this project.\n"
    [gpu] = [n for n in needs_of(repo, "bash final.sh test.csv", docs=docs) if n.kind == "gpu"]
    assert gpu.blocking and "README.md says a GPU is required" in gpu.detail
    # "GPU usage preferred" is advice, not a requirement (a dev README's Theano note).
    hedged = "Make sure to configure Theano to your needs (GPU usage preferred - tested with CuDNN 5.1)\n"
    assert not [n for n in needs_of(repo, "bash final.sh test.csv", docs=hedged) if n.kind == "gpu"]


def test_hostile_inputs_stay_bounded(tmp_path):
    # A 10 MB README of links and download lines, a binary script, a module importing itself, a
    # symlink loop and a link out of the checkout: an answer in bounded time, never a traceback.
    import time

    readme = "".join(f"wget https://x.org/d{i}/model_{i}.pth # trained weights\n" for i in range(200_000))
    repo = write(
        tmp_path / "r",
        {
            "main.py": "import main\nimport loop\nopen('data/x/{}.bin'.format(a))\n",
            "run.sh": "source run.sh\nbash run.sh\npython main.py\n",
            "bin.py": "",
        },
    )
    (repo / "bin.py").write_bytes(bytes(range(256)) * 1000)
    (repo / "loop").symlink_to(repo)
    (repo / "out.py").symlink_to("/etc/hostname")
    start = time.monotonic()
    for command in ("bash run.sh", "python bin.py", "python out.py ~nobody/x", 'python main.py --data "unclosed'):
        needs_of(repo, command, docs=readme)
    assert time.monotonic() - start < GUARD_S  # unbounded, the README alone took minutes


def test_hydra_required_values_wandb_and_dotenv(tmp_path):
    # The ashleve/lightning-hydra-template shape issue 21 names (Hydra `KEY=VALUE`; not in the dev
    # corpus): src/eval.py composes configs/eval.yaml, whose ckpt_path is `???` until the command sets it.
    repo = write(
        tmp_path,
        {
            "src/eval.py": (
                "import hydra, wandb\nfrom dotenv import load_dotenv\nload_dotenv()\n"
                '@hydra.main(version_base="1.3", config_path="../configs", config_name="eval.yaml")\n'
                "def main(cfg):\n    wandb.init(project='x')\n"
            ),
            "configs/eval.yaml": "defaults:\n  - data: mnist\ntask_name: eval\nckpt_path: ???\n",
            ".env.example": "OPENAI_API_KEY=\n",
        },
    )
    needs = needs_of(repo, "python src/eval.py")
    said = {(n.kind, n.detail.split(":")[0] + ":" + n.detail.split(":")[1]) for n in needs if n.blocking}
    assert {
        ("placeholder", "configs/eval.yaml: ckpt_path is ??? (Hydra"),
        ("checkpoint", "configs/eval.yaml: ckpt_path wants trained weights"),
    } <= said
    credentials = " ".join(n.detail for n in needs if n.kind == "credential")
    assert (
        "export WANDB_MODE=offline" in credentials and "copy .env.example to .env and set OPENAI_API_KEY" in credentials
    )
    filled = needs_of(repo, "python src/eval.py ckpt_path=/ckpts/last.ckpt", environ={"WANDB_MODE": "offline"})
    assert not [n for n in filled if n.blocking and ("ckpt_path" in n.detail or "wandb" in n.detail)]


def test_a_model_id_is_not_a_missing_file(tmp_path):
    # Hugging Face example-script shape (`--model_name_or_path facebook/bart-large`): the library
    # fetches it by name; WERimagin/baseline_CoQA@d11d1928's `--pretrained rc_models` is a local folder.
    repo = write(tmp_path, {"run.py": "import argparse\n", "rc/main.py": "import argparse\n"})
    hub = needs_of(repo, "python run.py --pretrained_model_name_or_path facebook/bart-large --init_from roberta-large")
    assert [n.blocking for n in hub if n.kind == "checkpoint"] == [False, False]
    local = needs_of(repo, "python rc/main.py --testset data/coqa.dev.json --n_history 2 --pretrained rc_models")
    assert {"checkpoint", "dataset"} <= kinds(local)


def test_weights_a_script_writes_itself_or_loads_only_on_request(tmp_path):
    # jiweeo/pytorch-stochastic-depth@dd7a2c61 train.py saves then reloads resnet110.t7;
    # 15517965908/keras-DBPN@96b35947 main.py loads `'model_'+str(scale)+'x_iter'+str(chk)+'.h5'` only if --chk >= 0
    # (default -1): its evaluation (`--test_only`) without --chk scores untrained weights, so they are a need
    # of it (the label: "you just point to model checkpoint get the results"); a training run may resume.
    repo = write(
        tmp_path,
        {
            "train.py": (
                "def test(epoch):\n    torch.save(state, 'resnet110.t7')\n\n"
                "def evaluate():\n    ckpt = torch.load('resnet110.t7')\n"
            ),
            "main.py": (
                "class DBN:\n    def __init__(self, chk=-1, scale=8):\n        if chk >=0 :\n"
                "            self.model.load_weights('model_'+str(scale)+'x_iter'+str(chk)+'.h5')\n"
            ),
        },
    )
    assert not [n for n in needs_of(repo, "python train.py", kind="train") if n.kind == "checkpoint"]
    [ckpt] = [n for n in needs_of(repo, "python main.py --test_only True") if n.kind == "checkpoint"]
    assert ckpt.blocking and "model_*" in ckpt.detail and "untrained" in ckpt.detail
    [resume] = [n for n in needs_of(repo, "python main.py", kind="train") if n.kind == "checkpoint"]
    assert not resume.blocking


def test_a_restore_under_an_if_the_run_skips_loads_nothing(tmp_path):
    # wzzheng/HDML main_npair.py restores from FLAGS.log_save_path (default ./tensorboard_log/, a folder
    # the run writes its logs to) only `if FLAGS.load_formalVal:`, which defaults to False and which the
    # README's command passes as False: the run loads no weights.
    flags = (
        "import tensorflow as tf\nFLAGS = tf.app.flags.FLAGS\n"
        "tf.flags.DEFINE_string('log_save_path', './tensorboard_log/', 'Directory to save tensorboard log files')\n"
        "tf.flags.DEFINE_bool('load_formalVal', False, 'Whether load former value before training')\n"
    )
    main = (
        "from FLAGS import *\nsaver = tf.train.Saver()\nif FLAGS.load_formalVal:\n"
        "    saver.restore(sess, FLAGS.log_save_path + FLAGS.dataSet + '/' + FLAGS.formerTimer)\n"
        "print('Recall@1 test: %.3f' % recall)\n"
    )
    repo = write(tmp_path, {"FLAGS.py": flags, "main_npair.py": main})
    skipped = needs_of(repo, "python main_npair.py --dataSet=cars196 --load_formalVal=False")
    assert not [n for n in skipped if n.kind == "checkpoint"]
    taken = needs_of(repo, "python main_npair.py --dataSet=cars196 --load_formalVal=True")
    assert [n.blocking for n in taken if n.kind == "checkpoint"] == [True]


def test_what_is_no_need(tmp_path):
    # jiesutd/NCRFpp@105a53a3 demo.train.config (training writes model_dir); zengzhaoyang/Weak_Detection@bf55065b
    # lib/nms/setup_linux.py (CUDAHOME read only when set); DediGadot/PatchBatch@0162117a README usage
    # (`[optional -bidi]`); mcmachado/count_based_exploration_sr@e4d657eb (`--input mdps/...` beside the script).
    repo = write(
        tmp_path,
        {
            "main.py": "parser.add_argument('--config', help='Configuration File')\n",
            "demo.train.config": "### I/O ###\ntrain_dir=sample_data/train.bmes\nmodel_dir=sample_data/lstmcrf\n",
            "sample_data/train.bmes": "",
            "setup_linux.py": "import os\nif 'CUDAHOME' in os.environ:\n    home = os.environ['CUDAHOME']\n",
            "patchbatch.py": "import sys\n",
            "tabular/tabular_mbrl.py": "import argparse\n",
            "tabular/mdps/riverswim.mdp": "",
        },
    )
    assert not needs_of(repo, "python main.py --config demo.train.config", kind="train")
    # The same folder flag in a training command is where it writes; a resume file is read.
    assert not needs_of(repo, "python main.py --checkpoint_dir sample_data/ckpts", kind="run")
    assert kinds(needs_of(repo, "python main.py --resume sample_data/ckpts/last.pth", kind="run")) == {"checkpoint"}
    assert not needs_of(repo, "python setup_linux.py build_ext --inplace", kind="run")
    usage = needs_of(repo, "python patchbatch.py a.png b.png [optional -bidi] [optional --descs]", kind="run")
    assert not [n for n in usage if n.kind == "placeholder"]
    assert not needs_of(repo, "python3 tabular/tabular_mbrl.py --input mdps/riverswim.mdp --num_episodes 100")


def test_values_spelled_as_their_names(tmp_path):
    # yaq007/Autofocus-Layer@2935eef2 README.md: `python val.py --num_gpus NUM_GPUS --id MODEL_ID`.
    repo = write(tmp_path, {"val.py": "import argparse\n"})
    found = [n for n in needs_of(repo, "python val.py --num_gpus NUM_GPUS --id MODEL_ID") if n.kind == "placeholder"]
    assert [(n.key, n.blocking) for n in found] == [("num_gpus", True), ("id", True)]


def test_notebooks_and_make_targets_are_followed(tmp_path):
    # Fuhongshuai/FUHS_GraphCNN@4365b7f6 nips2016/mnist.ipynb (code cells, `sys.path.insert(0, '..')`);
    # raahii/video-gans-evaluation@c7062728 Makefile (`make build` runs `python setup.py bdist_wheel`).
    import json

    cells = [
        {"cell_type": "markdown", "source": ["# MNIST"]},
        {
            "cell_type": "code",
            "source": [
                "%load_ext autoreload\n",
                "import sys, os\n",
                "sys.path.insert(0, '..')\n",
                "from lib import models\n",
            ],
        },
        {"cell_type": "code", "source": "model.cuda()\n"},
    ]
    repo = write(
        tmp_path,
        {
            "nips2016/mnist.ipynb": json.dumps({"cells": cells}),
            "lib/models.py": "import tensorflow as tf\n",
            "Makefile": (
                ".PHONY: build\n\nall: init test\n\ninit:\n\tpip install -r requirements.txt\n\n"
                "build:\n\tpython setup.py bdist_wheel\n"
            ),
            "setup.py": "from setuptools import setup\n",
        },
    )
    traced = follow("jupyter nbconvert --execute --inplace mnist.ipynb", repo, "nips2016")
    assert [(s.path, s.role) for s in traced] == [("nips2016/mnist.ipynb", "start"), ("lib/models.py", "import")]
    assert "%load_ext" not in traced[0].text and "gpu" in kinds(
        needs_of(repo, "jupyter nbconvert --execute mnist.ipynb", cwd="nips2016")
    )
    assert [s.path for s in follow("make build", repo)] == ["Makefile", "setup.py"]


def test_data_the_plans_setup_makes_is_not_blocking(tmp_path):
    # tbullmann/imagetranslation-tensorflow@12fadd69: the docs' download step runs before the command.
    repo = write(tmp_path, {"translate.py": 'parser.add_argument("--checkpoint", default=None)\n'})
    command = "python translate.py --mode test --input_dir datasets/facades/val --checkpoint temp/facades_train"
    needs = find_needs(
        command,
        repo_dir=repo,
        cwd="",
        kind="eval",
        docs_text="",
        environ={},
        has_gpu=False,
        script=None,
        setup=["python tools/download-dataset.py facades datasets"],
    )
    data = [n for n in needs if n.kind == "dataset"]
    assert [n.blocking for n in data] == [False] and "the setup step" in data[0].detail
    assert [n.blocking for n in needs if n.kind == "checkpoint"] == [True]  # training is no setup step


def test_shell_variables_with_a_default_or_a_check(tmp_path):
    # gofynd/mildnet@aa4de3d4 gcloud.local.run.keras.sh checks `-z "$HYPERDASH_KEY"` itself.
    repo = write(
        tmp_path,
        {
            "run.sh": (
                'if [[ -z "$HYPERDASH_KEY" ]]; then\n  echo "Disabling hyperdash."\nfi\n'
                "OUT=${OUT_DIR:-runs}\npython eval.py --data $DATA_ROOT/x\n"
            ),
            "eval.py": "",
        },
    )
    assert [n.detail.split(" uses ")[1].split(",")[0] for n in needs_of(repo, "bash run.sh")] == ["$DATA_ROOT"]


def test_data_the_docs_link_when_the_code_builds_its_path(tmp_path):
    # yaq007/Autofocus-Layer@2935eef2 test.py: the images are `args.root_path + line` of a shipped
    # list file, so no path in the code is absent; the README links the preprocessed subset.
    repo = write(
        tmp_path,
        {
            "test.py": (
                "import argparse\nimport nibabel as nib\n\n"
                "def main(args):\n    test_dir = open(args.test_path, 'r').readlines()\n"
                "    for direct in test_dir:\n        image = nib.load(args.root_path + direct + '.gz').get_data()\n\n"
                "parser = argparse.ArgumentParser()\n"
                "parser.add_argument('--test_path', default='datalist/test_list.txt')\n"
                "parser.add_argument('--root_path', default='./', help='root directory of data')\n"
            ),
            "datalist/test_list.txt": "HGG/brats_tcia_pat111_0001/VSD.Brain.XX.O.MR_Flair.40827.nii\n",
        },
    )
    docs = (
        "## Data\nA small subset of the BRATS dataset (after all the above data pre-processing) is provided "
        "[here](http://cseweb.ucsd.edu/~yaq007/dataset.zip) to run the preset examples.\n"
        'Please refer "[Autofocus Layer](https://arxiv.org/pdf/1805.08403.pdf)" for the details.\n'
    )
    [data] = [n for n in needs_of(repo, "python test.py --num_gpus 1 --id AFN1", docs=docs) if n.kind == "dataset"]
    assert data.blocking and "http://cseweb.ucsd.edu/~yaq007/dataset.zip" in data.detail
    # Data the code fetches itself is advice, not this need (AtheMathmo/AggMo's torchvision download).
    (repo / "test.py").write_text("from torchvision import datasets\nd = datasets.CIFAR10('x', download=True)\n")
    assert [n.blocking for n in needs_of(repo, "python test.py", docs=docs) if n.kind == "dataset"] == [False]


def test_a_backbone_download_is_not_the_code_fetching_its_data(tmp_path):
    # tianzhi0549/FCOS@a773f128: tools/test_net.py imports fcos_core/utils/model_zoo.py, which
    # fetches ImageNet backbones (`_download_url_to_file`); COCO itself comes from the docs' step.
    repo = write(
        tmp_path,
        {
            "tools/test_net.py": "from fcos_core.utils.model_zoo import cache_url\nfrom fcos_core.config import cfg\n",
            "fcos_core/__init__.py": "",
            "fcos_core/utils/__init__.py": "",
            "fcos_core/utils/model_zoo.py": (
                "from torch.hub import _download_url_to_file\n\ndef cache_url(url, model_dir=None):\n"
                "    _download_url_to_file(url, cached_file, hash_prefix, progress=progress)\n"
            ),
            "fcos_core/config/__init__.py": "cfg = None\n",
        },
    )
    docs = (
        "# run this command line for a demo\n"
        "fcos https://github.com/tianzhi0549/FCOS/raw/master/demo/images/COCO_val2014_000000000885.jpg\n"
        "For more information on some of the main abstractions in our implementation, see "
        "[the COCO minival annotations](https://github.com/facebookresearch/Detectron/blob/master/detectron/"
        "datasets/data/README.md#coco-minival-annotations)\n"
    )
    command = "python tools/test_net.py --config-file configs/fcos/fcos_imprv_R_50_FPN_1x.yaml"
    [data] = [n for n in needs_of(repo, command, docs=docs) if n.kind == "dataset"]
    assert data.blocking and "coco-minival-annotations" in data.detail  # not the demo image


def test_data_a_doc_step_prepares(tmp_path):
    # dreamgonfly/Transformer-pytorch@c31e163e: the README makes data/example/processed with
    # prepare_datasets.py before `python evaluate.py`; the code reads it through a saved config.
    repo = write(tmp_path, {"evaluate.py": "import json\nconfig = json.load(open(args.config))\n"})
    docs = (
        "## Prepare datasets\n```\n$ python prepare_datasets.py --train_source=data/example/raw/src-train.txt "
        "--save_data_dir=data/example/processed\n```\n## Evaluate\n```\n$ python evaluate.py "
        "--config=checkpoints/example_config.json\n```\n"
    )
    [data] = [
        n
        for n in needs_of(repo, "python evaluate.py --config=checkpoints/example_config.json", docs=docs)
        if n.kind == "dataset"
    ]
    assert data.blocking and "`python prepare_datasets.py --train_source=" in data.detail


def test_modules_two_imports_behind_the_script_are_read(tmp_path):
    # joshiatul/game_playing@59f48b8f: simulate_environment.py -> rl_learning.py ->
    # environments/environment.py, where the gym environments are made.
    repo = write(
        tmp_path,
        {
            "simulate_environment.py": "import argparse\nimport rl_learning as rl\n",
            "rl_learning.py": "from model import Model\nfrom environments.environment import Environment\n",
            "model.py": "import numpy as np\n",
            "environments/__init__.py": "",
            "environments/environment.py": "import gym\nfrom environments.far import x\ngym.make('Breakout-v0')\n",
            "environments/far.py": "x = 1\n",
        },
    )
    read = {source.path for source in follow("python simulate_environment.py --test", repo)}
    assert {"rl_learning.py", "model.py", "environments/environment.py"} <= read
    assert "environments/far.py" not in read  # a third level is not read: the walk stays bounded


def test_a_mode_switch_makes_the_run_an_evaluation_that_loads_weights(tmp_path):
    # carpedm20/variational-text-tensorflow@7484a523 main.py: `--forward_only True` tests, and then
    # `model.load(FLAGS.checkpoint_dir)` restores what training wrote to checkpoint/ (none released).
    repo = write(
        tmp_path,
        {
            "main.py": (
                'flags.DEFINE_string("checkpoint_dir", "checkpoint", "Directory name to save the checkpoints")\n'
                'flags.DEFINE_boolean("forward_only", False, "False for training, True for testing [False]")\n'
                "if FLAGS.forward_only:\n  model.load(FLAGS.checkpoint_dir)\n"
            )
        },
    )
    command = "python main.py --dataset ptb --forward_only True"
    assert command_kind(command) == "eval" and command_kind("python main.py --testOnly") == "eval"
    assert command_kind("python main.py --dataset ptb") == "run"
    assert command_kind("python main.py --forward_only False") == "run"
    [ckpt] = [n for n in needs_of(repo, command, kind=command_kind(command)) if n.kind == "checkpoint"]
    assert ckpt.blocking and "checkpoint_dir" in ckpt.detail


def test_python2_code_that_runs_is_a_system_need(tmp_path):
    # joshiatul/game_playing@59f48b8f simulate_environment.py: `print stat` in the test branch.
    repo = write(
        tmp_path,
        {
            "simulate_environment.py": (
                "import argparse\nimport rl_learning as rl\n\ndef main(train):\n    if train:\n        rl.train()\n"
                "    else:\n        stat = rl.test()\n        print stat\n"
            ),
            "rl_learning.py": "def test():\n    return 1\n",
            # Python 3 that only looks like Python 2: a print statement written in a string.
            "report.py": 'HELP = """\nprint x\n"""\nprint("done")\n',
        },
    )
    [py2] = [n for n in needs_of(repo, "python simulate_environment.py --test") if n.kind == "system"]
    assert py2.blocking and "simulate_environment.py:9" in py2.detail and "Python 2" in py2.detail
    assert not [n for n in needs_of(repo, "python report.py") if n.kind == "system"]


def test_atari_roms_from_the_emulator_and_the_rom_flag(tmp_path):
    # mcmachado/count_based_exploration_sr@e4d657eb function_approximation/: exp_eig_sr.train imports
    # environments, whose __init__ re-exports atari_environment (ALEInterface, a --rom flag).
    repo = write(
        tmp_path,
        {
            "function_approximation/exp_eig_sr/__init__.py": "",
            "function_approximation/exp_eig_sr/train.py": "from environments import AtariEnvironment\n",
            "function_approximation/environments/__init__.py": "from .atari_environment import AtariEnvironment\n",
            "function_approximation/environments/atari_environment.py": (
                "from ale_python_interface import ALEInterface\nflags.DEFINE_string('rom', '', 'Rom file')\n"
                "class AtariEnvironment:\n    def __init__(self):\n        self.ale = ALEInterface()\n"
            ),
        },
    )
    command = "python3 -m exp_eig_sr.train --rom ../roms/montezuma_revenge.bin"
    needs = needs_of(repo, command, cwd="function_approximation", kind="train")
    assert kinds(needs) == {"simulator"}  # the ROM is the emulator's, not a dataset
    assert any("ale_python_interface" in n.detail for n in needs)
    assert any("montezuma_revenge.bin" in n.detail and "ROM" in n.detail for n in needs)


def test_weights_from_a_folder_only_training_writes(tmp_path):
    # perslev/MultiPlanarUNet@b8076091: the `mp` console script imports its first argument as a module
    # (mpunet/bin/mp.py), and mpunet/bin/predict.py loads the model from the project folder.
    repo = write(
        tmp_path,
        {
            "setup.py": "setup(entry_points={'console_scripts': [\n    'mp=mpunet.bin.mp:entry_func',\n]})\n",
            "mpunet/__init__.py": "",
            "mpunet/bin/__init__.py": "",
            "mpunet/bin/mp.py": (
                "def entry_func(args=None):\n    parsed = get_parser().parse_args(args)\n    import importlib\n"
                '    mod = importlib.import_module("mpunet.bin." + parsed.script)\n'
            ),
            "mpunet/bin/predict.py": (
                'def get_model(project_dir, build_hparams):\n    model_path = get_best_model(project_dir + "/model")\n'
                "    model.load_weights(model_path, by_name=True)\n"
            ),
            "mpunet/bin/train.py": 'def entry_func(args):\n    model.save_weights(project_dir + "/model/model.h5")\n',
            "mpunet/bin/features.py": (
                'def entry_func(args):\n    x = pickle.load(open(args.out + "/features.pkl", "rb"))\n'
                '    hp = json.load(open(args.out + "/model_config.json"))\n'
            ),
        },
    )
    command = "mp predict --num_GPUs=2 --out_dir predictions"
    assert command_kind(command) == "eval"
    [ckpt] = [n for n in needs_of(repo, command, kind=command_kind(command)) if n.kind == "checkpoint"]
    assert ckpt.blocking and "mpunet/bin/predict.py:2" in ckpt.detail and "project_dir" in ckpt.detail
    # Features kept in a .pkl are data, not weights.
    assert not [n for n in needs_of(repo, "mp features", kind="eval") if n.kind == "checkpoint"]
    # Training writes that folder: it needs no weights.
    assert not [n for n in needs_of(repo, "mp train", kind=command_kind("mp train")) if n.kind == "checkpoint"]


def test_a_decode_settings_file_makes_the_command_an_evaluation(tmp_path):
    # jiesutd/NCRFpp@105a53a3 demo.decode.config: the trained model that decoding loads.
    repo = write(
        tmp_path,
        {
            "main.py": "parser.add_argument('--config', help='Configuration File', default='None')\n",
            "demo.decode.config": (
                "### Decode ###\nstatus=decode\nraw_dir=sample_data/raw.bmes\ndset_dir=sample_data/lstmcrf.dset\n"
                "load_model_dir=sample_data/lstmcrf.0.model\n"
            ),
            "sample_data/raw.bmes": "x\n",
        },
    )
    command = "python main.py --config demo.decode.config"
    assert command_kind(command) == "eval" and command_kind("python main.py --config demo.train.config") == "run"
    assert command_kind("python train.py --out_dir predictions") == "run"  # a flag's value: where it writes
    needs = needs_of(repo, command, kind=command_kind(command))
    assert any(n.kind == "checkpoint" and "lstmcrf.0.model" in n.detail and n.blocking for n in needs)


def test_cuda_behind_an_early_return_and_other_gpu_shapes(tmp_path):
    # tianzhi0549/FCOS@a773f128 fcos_core/utils/comm.py: all_gather returns before its `.to("cuda")` on
    # one process; fcos_core/utils/env.py reads an optional module path with os.environ.get and tests it.
    # BOBrown/deeparsing-master@bf2e8f5c exper/test.py: pycaffe in GPU mode.
    repo = write(
        tmp_path,
        {
            "tools/test_net.py": "from comm import all_gather\nfrom env import setup_environment\n",
            "tools/comm.py": (
                "def all_gather(data):\n    world_size = get_world_size()\n    if world_size == 1:\n"
                "        return [data]\n\n    buffer = pickle.dumps(data)\n"
                '    tensor = torch.ByteTensor(storage).to("cuda")\n'
            ),
            "tools/env.py": (
                "def setup_environment():\n"
                '    custom_module_path = os.environ.get("TORCH_DETECTRON_ENV_MODULE")\n'
                "    if custom_module_path:\n        setup_custom_environment(custom_module_path)\n"
            ),
            "exper/test.py": "import caffe\n\ndef main():\n    caffe.set_mode_gpu()\n",
        },
    )
    assert kinds(needs_of(repo, "python tools/test_net.py"), blocking=False) == set()
    assert kinds(needs_of(repo, "python tools/test_net.py")) == set()
    needs = needs_of(repo, "python test.py", cwd="exper")
    assert {"gpu", "system"} <= kinds(needs)
    assert any("pycaffe" in n.detail for n in needs if n.kind == "system")


def test_a_runtime_the_docs_prepare_the_data_with(tmp_path):
    # WERimagin/baseline_CoQA@d11d1928 README.md: the data is preprocessed with a Java CoreNLP server.
    readme = (
        "## Download\n```bash\n  mkdir data\n  wget -P data https://nlp.stanford.edu/data/coqa/coqa-dev-v1.0.json\n```\n"
        "## Start a CoreNLP server\n\n```bash\n  mkdir lib\n"
        "  java -mx4g -cp lib/stanford-corenlp-3.9.1.jar edu.stanford.nlp.pipeline.StanfordCoreNLPServer -port 9000\n"
        "```\n"
    )
    repo = write(tmp_path, {"rc/main.py": "parser.add_argument('--testset', type=str, default=None)\n"})
    command = "python rc/main.py --testset data/coqa.dev.json --n_history 2"
    [java] = [n for n in needs_of(repo, command, docs=readme) if n.kind == "system"]
    assert java.blocking and "Java" in java.detail and "StanfordCoreNLPServer" in java.detail
    assert not [n for n in needs_of(repo, command, docs=readme, which=lambda p: "/usr/bin/java") if n.kind == "system"]
    # With the data there, the preprocessing step is done: no Java needed.
    write(repo, {"data/coqa.dev.json": "{}"})
    assert not [n for n in needs_of(repo, command, docs=readme) if n.kind == "system"]


def test_simulated_tasks_in_the_code_and_the_command(tmp_path):
    # joshiatul/game_playing@59f48b8f environments/environment.py names an Atari task; the same shape with
    # a MuJoCo task as a flag default, which a command that chooses another environment does not run.
    repo = write(
        tmp_path,
        {
            "play.py": "import gym\nenv = gym.make('Breakout-v0')\n",
            "main.py": "parser.add_argument('--env', default='Hopper-v2')\nenv = gym.make(args.env)\n",
            "caption_eval.py": "from pycocoevalcap.eval import COCOEvalCap\n",
            "bleu_only.py": "def score():\n    from pycocoevalcap.bleu.bleu import Bleu\n",
            "configs/cheetah.yaml": "env_name: HalfCheetah-v2\nseed: 0\n",
        },
    )
    assert any("MuJoCo" in n.detail for n in needs_of(repo, "python bleu_only.py --config configs/cheetah.yaml"))
    assert any("Atari ROMs" in n.detail for n in needs_of(repo, "python play.py"))
    assert any("MuJoCo" in n.detail for n in needs_of(repo, "python main.py"))
    assert not [n for n in needs_of(repo, "python main.py --env CartPole-v1") if n.kind == "simulator"]
    [mujoco] = [n for n in needs_of(repo, "python main.py --env HalfCheetah-v2") if n.kind == "simulator"]
    assert "HalfCheetah-v2" in mujoco.detail
    # METEOR and SPICE are Java programs; BLEU alone is Python.
    assert any("Java" in n.detail for n in needs_of(repo, "python caption_eval.py") if n.kind == "system")
    assert not needs_of(repo, "python bleu_only.py")


def test_an_unbuilt_extension_in_another_project_of_a_monorepo(tmp_path):
    # deepinsight/insightface@7fadd420: recognition/arcface_torch runs eval_ijbc.py (reconstruction/gaze
    # test_gaze.py alike); detection/retinaface/rcnn/cython holds an unbuilt anchors.pyx that it never
    # imports, and server/README.md builds with make.
    repo = write(
        tmp_path,
        {
            "recognition/arcface_torch/README.md": "# arcface_torch\n",
            "recognition/arcface_torch/requirement.txt": "torch\n",
            "recognition/arcface_torch/eval_ijbc.py": "import numpy as np\n",
            "detection/retinaface/rcnn/cython/anchors.pyx": "def anchors(): pass\n",
        },
    )
    docs = [("server/README.md", "```\nmake -C server build-cpu\n```\n")]
    assert not find_needs(
        "python eval_ijbc.py",
        repo_dir=repo,
        cwd="recognition/arcface_torch",
        kind="eval",
        docs_text="",
        environ={},
        has_gpu=False,
        script=None,
        docs=docs,
        which=lambda program: None,
    )
    # The root README's build step is about the whole repo.
    readme = "```\nmake -C server build-cpu\n```\n"
    assert kinds(needs_of(repo, "python recognition/arcface_torch/eval_ijbc.py", docs=readme)) == {"system"}


def test_weights_read_in_a_branch_the_command_chooses(tmp_path):
    # 15517965908/keras-DBPN@96b35947 main.py: the weights are loaded under `if chk >= 0:`, which `--chk 98` chooses.
    repo = write(
        tmp_path,
        {
            "main.py": (
                "parser.add_argument('--chk', action='store', dest='chk', default=-1)\n"
                "class Net:\n    def __init__(self, chk, scale):\n        if chk >=0 :\n"
                "            self.model.load_weights('model_'+str(scale)+'x_iter'+str(chk)+'.h5')\n"
                "        if not chk:\n            x = np.load('data/skip.npy')\n"
            ),
        },
    )
    [ckpt] = [n for n in needs_of(repo, "python main.py --test_only True --chk 98") if n.kind == "checkpoint"]
    assert ckpt.blocking and "model_*" in ckpt.detail
    [optional] = [n for n in needs_of(repo, "python main.py", kind="train") if n.kind == "checkpoint"]
    assert not optional.blocking  # training without --chk: the branch is the user's choice (resume or not)
    assert all(not n.blocking for n in needs_of(repo, "python main.py --chk 98") if n.kind == "dataset")


def test_logins_the_code_or_the_data_step_needs(tmp_path):
    # No dev repo downloads through the Kaggle CLI or asks for a Hugging Face token; the shapes are those
    # tools' documented lines, for the Kaggle competition whose test.csv CKRC24/Listen-and-Translate@41f0f670
    # label names, and transformers' `use_auth_token=True`.
    repo = write(
        tmp_path,
        {
            "predict.py": "df = pd.read_csv('data/test.csv')\n",
            "gated.py": "model = AutoModel.from_pretrained(name, use_auth_token=True)\n",
        },
    )
    docs = "## Data\n```\nkaggle competitions download -c ml2017fallfinaltaiwanese -p data\n```\n"
    [kaggle] = [n for n in needs_of(repo, "python predict.py", docs=docs) if n.kind == "credential"]
    assert kaggle.blocking and "kaggle.json" in kaggle.detail
    write(repo, {"data/test.csv": "id\n"})  # the data is there: no login needed for it
    assert not [n for n in needs_of(repo, "python predict.py", docs=docs) if n.kind == "credential"]
    [hf] = [n for n in needs_of(repo, "python gated.py") if n.kind == "credential"]
    assert "huggingface-cli login" in hf.detail
    assert not [n for n in needs_of(repo, "python gated.py", environ={"HF_TOKEN": "x"}) if n.kind == "credential"]


def test_stacks_that_no_longer_install_on_this_python(tmp_path):
    # deepmind/scalable_agent@6c0c8a70 experiment.py (tf.contrib, gone from TensorFlow 2);
    # DediGadot/PatchBatch@0162117a patchbatch.py (Lasagne on Theano).
    repo = write(
        tmp_path,
        {
            "experiment.py": "import tensorflow as tf\nnest = tf.contrib.framework.nest\n",
            "patchbatch.py": "import lasagne\nimport theano.tensor as T\n",
            "modern.py": "import tensorflow as tf\n# was: tf.contrib.layers.xavier_initializer()\n",
        },
    )
    [tf1] = [n for n in needs_of(repo, "python experiment.py", kind="train") if n.kind == "system"]
    assert tf1.blocking and "tf.contrib.framework" in tf1.detail and "TensorFlow 1.x" in tf1.detail
    assert any("Theano" in n.detail for n in needs_of(repo, "python patchbatch.py", kind="train"))
    assert not needs_of(repo, "python modern.py", kind="train")


def test_a_program_the_command_starts_that_is_not_there(tmp_path):
    # deepinsight/insightface@7fadd420 cpp-package/inspireface/README.md § Test: `./Test` exists only after
    # the CMake build; HUJI-Deep/nice@023d47f7 README.md: Pylearn2's own train.py, not in the repo.
    docs = (
        "```bash\ncmake -DISF_BUILD_WITH_TEST=ON ..\n```\n"
        "```bash\n./Test --test_dir PATH/test_res --pack Pikachu\n```\n"
    )
    repo = write(tmp_path, {"exp/nice_mnist.yaml": "!obj:pylearn2.train.Train {}\n", "README.md": docs})
    [built] = [n for n in needs_of(repo, "./Test --test_dir test_res --pack Pikachu", docs=docs) if n.kind == "system"]
    assert built.blocking and "not built" in built.detail and "cmake -DISF_BUILD_WITH_TEST=ON .." in built.detail
    [elsewhere] = [
        n for n in needs_of(repo, "python pylearn2/scripts/train.py exp/nice_mnist.yaml") if n.kind == "system"
    ]
    assert "another project" in elsewhere.detail
    write(repo, {"Test": "binary"})
    assert not [n for n in needs_of(repo, "./Test --pack Pikachu", docs=docs) if n.kind == "system"]


def test_cuda_devices_spelled_as_format_strings(tmp_path):
    # No dev repo spells it so; these are PyTorch's documented idioms for a device built from an argument.
    repo = write(
        tmp_path,
        {
            "eval.py": 'device = torch.device(f"cuda:{args.gpu}")\nmodel.to(device)\n',
            "load.py": "state = torch.load(args.ckpt, map_location='cuda:0')\n",
            "either.py": 'device = torch.device(f"cuda:{args.gpu}" if torch.cuda.is_available() else "cpu")\n',
        },
    )
    assert kinds(needs_of(repo, "python eval.py")) == {"gpu"}
    assert "gpu" in kinds(needs_of(repo, "python load.py --ckpt x"))
    assert not needs_of(repo, "python either.py")


def test_a_device_in_a_settings_default_is_advice(tmp_path):
    # tianzhi0549/FCOS@a773f128 fcos_core/config/defaults.py: `_C.MODEL.DEVICE = "cuda"`, which the
    # command may override (`MODEL.DEVICE cpu`), is not a CUDA call.
    repo = write(
        tmp_path,
        {"tools/test_net.py": "from defaults import _C\n", "tools/defaults.py": '_C.MODEL.DEVICE = "cuda"\n'},
    )
    assert "gpu" not in kinds(needs_of(repo, "python tools/test_net.py"))


def test_weights_a_required_or_unset_flag_names(tmp_path):
    # dreamgonfly/Transformer-pytorch@c31e163e evaluate.py: `--checkpoint` is required;
    # tbullmann/imagetranslation-tensorflow@12fadd69 translate.py: `--model` is a required choice of names;
    # lecholin/DynamicLSTM@68955fd9 RL_train.py: restores FLAGS.load_model (default None) only when set.
    repo = write(
        tmp_path,
        {
            "evaluate.py": (
                "parser.add_argument('--config', type=str, required=True)\n"
                "parser.add_argument('--checkpoint', type=str, required=True)\n"
                "args = parser.parse_args()\nmodel = load(checkpoint_filepath=args.checkpoint)\n"
            ),
            "translate.py": 'parser.add_argument("--model", required=True, choices=["pix2pix", "CycleGAN"])\n',
            "RL_test.py": (
                "flags.DEFINE_string('load_model',   None,       '(optional) filename of the model to load.')\n"
                "def main():\n    if FLAGS.load_model:\n        saver.restore(session, FLAGS.load_model)\n"
            ),
            "lm_test.py": (
                "flags.DEFINE_string('load_model',   None,       'filename of the model to load.')\n"
                "def main():\n    saver.restore(session, FLAGS.load_model)\n"
            ),
        },
    )
    needs = needs_of(repo, "python evaluate.py --config=checkpoints/example_config.json")
    assert {"placeholder", "checkpoint"} <= kinds(needs) and "dataset" not in kinds(needs)
    assert kinds(needs_of(repo, "python translate.py")) == {"placeholder"}
    # Without --load_model an evaluation scores untrained weights: advice, not blocking.
    assert [n.blocking for n in needs_of(repo, "python RL_test.py") if n.kind == "checkpoint"] == [False]
    assert not [n for n in needs_of(repo, "python RL_test.py", kind="run") if n.kind == "checkpoint"]
    [ckpt] = [n for n in needs_of(repo, "python lm_test.py") if n.kind == "checkpoint"]
    assert ckpt.blocking and "load_model" in ckpt.detail


def test_a_folder_left_for_the_data_is_not_the_data(tmp_path):
    # adammenges/DARTS-PyTorch@eaa6510f: data/imagenet, data/penn, data/wikitext-2 hold only `.keep`;
    # cnn/test.py reads --data (default ../data) and builds CIFAR-10 under it without download=True.
    repo = write(
        tmp_path,
        {
            "data/imagenet/.keep": "",
            "data/penn/.keep": "",
            "cnn/test.py": (
                "parser.add_argument('--data', type=str, default='../data', help='location of the data corpus')\n"
                "test_data = dset.CIFAR10(root=args.data, train=False, transform=valid_transform)\n"
            ),
        },
    )
    [data] = [n for n in needs_of(repo, "python test.py", cwd="cnn") if n.kind == "dataset"]
    assert data.blocking and "../data" in data.detail
    write(repo, {"data/cifar-10-batches-py/test_batch": "x"})
    assert not [n for n in needs_of(repo, "python test.py", cwd="cnn") if n.kind == "dataset"]


def test_values_spelled_as_what_to_put_there(tmp_path):
    # Atomu2014/product-nets-distributed@006718b4 README.md: `--tag=XXX` and "download ... at path/to/data";
    # argparse's metavar pasted from `--help` (`--data DATA`), and a `{dataset}` to choose.
    repo = write(tmp_path, {"pnn/tf_main.py": "import tensorflow as tf\n"})
    needs = needs_of(repo, "python tf_main.py --distributed=True --tag=XXX --data_path path/to/data", cwd="pnn")
    assert {n.key for n in needs if n.kind == "placeholder"} >= {"tag", "data_path"}
    assert "dataset" in kinds(needs)
    needs = needs_of(repo, "python tf_main.py --data DATA --resume RESUME --dataset {dataset}", cwd="pnn")
    assert {"placeholder", "dataset", "checkpoint"} <= kinds(needs)
    assert not needs_of(repo, "python tf_main.py --mode TRAIN --out mypath/to/x", cwd="pnn")


def test_a_tensorflow_1_session_pinned_to_a_gpu(tmp_path):
    # lingzhang1/pointnet_tensorflow@6458b6b1 evaluate.py: `with tf.device('/gpu:'+str(GPU_INDEX))` in a
    # tf.Session whose config allows soft placement (then the CPU takes the ops); without it, it stops.
    evaluate = (
        "def evaluate():\n    with tf.device('/gpu:'+str(GPU_INDEX)):\n        pred = model(x)\n"
        "    config = tf.ConfigProto()\n{soft}    sess = tf.Session(config=config)\n"
    )
    repo = write(
        tmp_path,
        {
            "evaluate.py": evaluate.format(soft="    config.allow_soft_placement = True\n"),
            "pinned.py": evaluate.format(soft=""),
        },
    )
    assert "gpu" not in kinds(needs_of(repo, "python evaluate.py"))
    [gpu] = [n for n in needs_of(repo, "python pinned.py") if n.kind == "gpu"]
    assert gpu.blocking and "allow_soft_placement" in gpu.detail


def test_an_unset_variable_used_at_once_as_a_path(tmp_path):
    # facebookresearch/pythia@b8f4591d mmf/utils/env.py tests its os.environ.get; the same read used
    # directly in a path join fails with a TypeError when the variable is unset.
    repo = write(
        tmp_path,
        {
            "env.py": (
                'environment_mmf_path = os.environ.get("MMF_PATH", os.environ.get("PYTHIA_PATH"))\n\n'
                "if environment_mmf_path is not None:\n    root_folder = environment_mmf_path\n"
            ),
            "data.py": 'root = os.path.join(os.environ.get("PYTHIA_PATH"), "data")\n',
            "level.py": 'level = os.getenv("LOG_LEVEL")\nlogging.basicConfig(level=level)\n',
        },
    )
    assert not needs_of(repo, "python env.py")
    [env] = needs_of(repo, "python data.py")
    assert env.kind == "env" and env.blocking and "PYTHIA_PATH" in env.detail
    assert [n.blocking for n in needs_of(repo, "python level.py")] == [False]


def test_data_the_run_s_shell_script_downloads_is_no_linked_data_need(tmp_path):
    # CKRC24/Listen-and-Translate@41f0f670 final.sh: wget's the preprocessed test features, then predicts.
    repo = write(
        tmp_path,
        {
            "final.sh": (
                'wget -O "data/test_input_data.npy" "https://www.dropbox.com/s/wx3ig36glym448b/test_input_data.npy?dl=1"\n'
                "python3 src/predict.py\n"
            ),
            "src/predict.py": "import numpy as np\nx = load_inputs()\n",
        },
    )
    docs = "We used the dataset on [Kaggle](https://www.kaggle.com/c/ml2017fallfinaltaiwanese/data) dataset.\n"
    assert not [n for n in needs_of(repo, "bash final.sh", docs=docs) if n.kind == "dataset" and n.blocking]


def test_a_folder_run_as_a_script_and_a_flag_handed_to_torch_load(tmp_path):
    # eth-sri/diffai@47aa126e: `python . ... --test NAMEOFSAVEDNET.pynet` runs __main__.py, which does
    # `torch.load(args.test)`: the value is trained weights, and its capitals say it is to be filled.
    repo = write(
        tmp_path,
        {
            "__main__.py": (
                "parser.add_argument('--test', type=str, default=None, metavar='net')\n"
                "if not args.test is None:\n    net = torch.load(args.test)\n"
            ),
        },
    )
    needs = needs_of(repo, "python . -D CIFAR10 --test NAMEOFSAVEDNET.pynet")
    assert {"checkpoint", "placeholder"} <= kinds(needs) and "dataset" not in kinds(needs)
    assert [s.path for s in follow("python . --test x", repo)] == ["__main__.py"]


def test_a_flag_that_only_names_the_data_set_inside_a_checkpoint_path(tmp_path):
    # amerch/CIFAR100-Training@3d37d0e7 main.py: `--dataset` (default cifar10) is one part of the path
    # torch.load reads: it is not the weights' path.
    repo = write(
        tmp_path,
        {
            "main.py": (
                "parser.add_argument('--dataset', default='cifar10', type=str)\n"
                "checkpoint = torch.load('./checkpoint/'+args.dataset+os.sep+file_name+'.t7')\n"
            ),
        },
    )
    assert not [n for n in needs_of(repo, "python main.py --testOnly") if "cifar10" in n.detail]


def test_defaults_read_as_files_and_a_model_flag_in_an_evaluation(tmp_path):
    # zomux/neuralcompressor@aa57ec5c bin/quantize_embed.py: `np.load(args.matrix)` (GloVe made by the
    # README's steps) and `--model data/mymodel`, which only the `--train` step writes.
    repo = write(
        tmp_path,
        {
            "bin/quantize_embed.py": (
                'ap.add_argument("--matrix", default="data/glove.6B.300d.npy")\n'
                'ap.add_argument("--model", default="data/mymodel")\n'
                'ap.add_argument("--evaluate", action="store_true")\n'
                "matrix = np.load(args.matrix)\ncompressor = EmbeddingCompressor(args.M, args.K, args.model)\n"
            ),
        },
    )
    needs = needs_of(repo, "python bin/quantize_embed.py -M 32 -K 16 --evaluate")
    assert {"checkpoint", "dataset"} <= kinds(needs)


def test_gpu_and_weights_behind_the_run_s_shell_script_in_lib(tmp_path):
    # facebookresearch/video-nonlocal-net@368652e2 scripts/run_test_multicrop.sh: yacs pairs to
    # tools/test_net_video.py, whose `core`/`utils` live in lib/ (on PYTHONPATH per INSTALL.md).
    repo = write(
        tmp_path,
        {
            "scripts/run_test_multicrop.sh": (
                "python ../tools/test_net_video.py \\\n--config_file ../configs/c.yaml \\\nNUM_GPUS 4 \\\n"
                "TEST.PARAMS_FILE ../data/checkpoints/run_i3d/checkpoints/c2_model_iter400000.pkl \\\n"
            ),
            "tools/test_net_video.py": "from caffe2.python import workspace\nimport utils.checkpoints as checkpoints\n",
            "lib/utils/checkpoints.py": (
                "def load(n):\n    for i in range(n):\n"
                "        with core.DeviceScope(core.DeviceOption(caffe2_pb2.CUDA, i)):\n            pass\n"
            ),
            "configs/c.yaml": "NUM_GPUS: 8\n",
        },
    )
    needs = needs_of(repo, "bash run_test_multicrop.sh", cwd="scripts")
    assert {"gpu", "checkpoint"} <= kinds(needs)


def test_cuda_in_a_settings_dict_and_behind_a_flag_default(tmp_path):
    # lRomul/argus-tgs-salt@09aeea90 train_folds.py: `PARAMS = {..., 'device': 'cuda'}`;
    # 15517965908/keras-DBPN@5ec7396f main.py: `--gpu` defaults to -1 and `if gpu < 0:` wraps the model
    # in multi_gpu_model(gpus=3); with `--gpu 0` the run takes the other branch.
    repo = write(
        tmp_path,
        {
            "train_folds.py": "PARAMS = {\n    'nn_module': ('FPN', {}),\n    'device': 'cuda'\n}\n",
            "main.py": (
                'parser.add_argument(\'--gpu\', action="store",dest="gpu", default=-1)\n'
                "gpu=int(values.gpu)\nclass DBN:\n    def __init__(self):\n        if gpu < 0:\n"
                "           self.model = multi_gpu_model(self.model, gpus=3)\n"
            ),
        },
    )
    assert "gpu" in kinds(needs_of(repo, "python train_folds.py", kind="train"))
    assert "gpu" in kinds(needs_of(repo, "python main.py --test_only"))
    assert "gpu" not in kinds(needs_of(repo, "python main.py --test_only --gpu 0"))


def test_a_restore_behind_a_switch_the_command_leaves_off(tmp_path):
    # KeAWang/BayesianGAN4AdversarialAttacks@45337726 bayesian_gan_hmc.py: `if args.load_chkpt:
    # saver.restore(session, args.chkpt)`; without --load_chkpt nothing is restored.
    repo = write(
        tmp_path,
        {
            "bayesian_gan_hmc.py": (
                "def main(args):\n    if args.load_chkpt:\n        saver.restore(session, args.chkpt)\n"
                "parser.add_argument('--chkpt', type=str, default=\"\")\n"
                "parser.add_argument('--load_chkpt', action=\"store_true\")\n"
            ),
        },
    )
    assert not [n for n in needs_of(repo, "python bayesian_gan_hmc.py --adv_test") if n.kind == "checkpoint"]
    assert "checkpoint" in kinds(needs_of(repo, "python bayesian_gan_hmc.py --load_chkpt"))


def test_paths_on_the_authors_windows_machine_and_a_bare_torch_load(tmp_path):
    # nithishkaviyan/Sentiment-Analysis-of-Yelp-Reviews@f430ae4a Yelp_LSTM_Test.py.
    repo = write(
        tmp_path,
        {
            "Yelp_LSTM_Test.py": (
                "with io.open('F:/Yelp Data/Processed Data/yelp_train.txt','r',encoding='utf-8') as f:\n    pass\n"
                "with io.open('F:/Yelp Data/Processed Data/yelp_test.txt','r',encoding='utf-8') as f:\n    pass\n"
                "model = torch.load('lstm.model')\n"
            ),
        },
    )
    needs = needs_of(repo, "python Yelp_LSTM_Test.py")
    assert {"placeholder", "dataset", "checkpoint"} <= kinds(needs)
    assert len([n for n in needs if n.kind == "placeholder"]) == 1  # one folder to edit


def test_docopt_arguments_the_command_leaves_out(tmp_path):
    # Oushesh/CapsClassifigner@bb934eb4 test.py: the docstring's `Usage: test.py <ckpt> <dataset>`.
    repo = write(
        tmp_path,
        {
            "test.py": (
                '"""\nTest the model\n\nUsage:\n  test.py <ckpt> <dataset>\n\nOptions:\n  -h --help  Show this help.\n'
                '"""\nfrom docopt import docopt\narguments = docopt(__doc__)\n'
            ),
        },
    )
    assert {"placeholder", "checkpoint", "dataset"} <= kinds(needs_of(repo, "python test.py"))
    assert not needs_of(repo, "python test.py outputs/ckpt dataset/") or "placeholder" not in kinds(
        needs_of(repo, "python test.py outputs/ckpt dataset/")
    )


def test_a_shell_argument_only_tested_is_optional(tmp_path):
    # allenai/bi-att-flow@2e2ebf2c basic/run_single.sh: `if [ "$3" = "debug" ]` with two arguments given.
    repo = write(
        tmp_path,
        {"run_single.sh": 'source_path=$1\ntarget_path=$2\nif [ "$3" = "debug" ]\nthen\n    parg="-d"\nfi\n'},
    )
    assert "placeholder" not in kinds(needs_of(repo, "bash run_single.sh dev.json single.json"))
    assert "placeholder" in kinds(needs_of(repo, "bash run_single.sh dev.json"))


def test_settings_kept_only_as_an_example(tmp_path):
    # wonjaek36/sodeep_final@9fb1c892 src/tester.py opens src/config.json; the repo has config_example.json.
    repo = write(
        tmp_path,
        {
            "src/tester.py": "with open(os.path.join('src', 'config.json'), 'r') as f:\n    config = json.load(f)\n",
            "src/config_example.json": '{"ROOT_PATH": "/Users/me/sodeep_final"}\n',
        },
    )
    [need] = [n for n in needs_of(repo, "python src/tester.py") if n.kind == "placeholder"]
    assert "config_example.json" in need.detail


def test_a_placeholder_the_docs_introduce_as_a_model_to_download(tmp_path):
    # han-cai/PathLevel-EAS@b925d74c README.md: "please download the corresponding model files and run
    # the following command", then `python3 run_exp.py --path <nets path>`.
    repo = write(tmp_path, {"code/CIFAR/run_exp.py": "parser.add_argument('--path', type=str)\n"})
    docs = (
        "For checking these networks, please download the corresponding model files and run the following "
        "command under the folder of **code/CIFAR**:\n```bash\n$ python3 run_exp.py --path <nets path>\n```\n"
    )
    assert {"placeholder", "checkpoint"} <= kinds(
        needs_of(repo, "python3 run_exp.py --path <nets path>", cwd="code/CIFAR", docs=docs)
    )


def test_shell_values_with_semicolons_and_quotes(tmp_path):
    # dannysdeng/dqn-pytorch@cb6f0847 runIt.sh: `GAME="Assault";` then `--env-name $GAME"NoFrameskip-v4"`.
    repo = write(
        tmp_path,
        {
            "runIt.sh": (
                'SEED=1;\nGAME="Assault";\nNAME="DQN-C51-"$GAME"-SEED-"$SEED;\n'
                'python main.py \\\n--env-name $GAME"NoFrameskip-v4" \\\n--log-dir "./agentLog_"$SEED \\\n'
                "2>&1 | tee ./TXT_LOGS/myLog_$NAME.txt;\n"
            ),
            "main.py": "import gym\n",
        },
    )
    [source] = [s for s in follow("bash runIt.sh", repo) if s.lang == "shell"]
    assert {"AssaultNoFrameskip-v4", "./agentLog_1"} <= set(shlex.split(source.runs[0][0]))
    assert "dataset" not in kinds(needs_of(repo, "bash runIt.sh", kind="train"))


def test_a_framework_pinned_to_a_generation_no_wheel_has(tmp_path):
    # allenai/bi-att-flow@2e2ebf2c README.md "tensorflow (deep learning library, only works on r0.11)";
    # iamhankai/attribute-aware-attention@90e0a639 readme.md "Requires: Keras 1.2.1".
    repo = write(tmp_path, {"tf.py": "import tensorflow as tf\n", "k.py": "from keras.models import Model\n"})
    docs = "- tensorflow (deep learning library, only works on r0.11)\nRequires: Keras 1.2.1\n"
    assert [n.key for n in needs_of(repo, "python tf.py", docs=docs) if n.kind == "system"] == [None]
    assert "system" in kinds(needs_of(repo, "python k.py", docs=docs))
    assert "system" not in kinds(needs_of(repo, "python tf.py", docs="tensorflow 0.12 or later\nkeras>=1.2\n"))


def test_weights_advice_reads_a_fetch_step_under_its_heading_and_a_results_row(tmp_path):
    # facebookresearch/video-nonlocal-net@368652e2 README.md: the wget under "ImageNet pre-trained
    # models" fetches backbones (the label's not_checkpoints); the results table links each run's model.
    from scout.baseline.discover.links import checkpoint_advice

    value = "../data/checkpoints/run_i3d_nlnet_400k/checkpoints/c2_model_iter400000.pkl"
    backbone = (
        "#### ImageNet pre-trained models\nThey can be downloaded from: [pretrained_model.tar.gz]"
        "(https://dl.fbaipublicfiles.com/video-nonlocal/pretrained_model.tar.gz). Extract the models:\n"
        "```Shell\nwget https://dl.fbaipublicfiles.com/video-nonlocal/pretrained_model.tar.gz\n```\n"
    )
    assert "pretrained_model.tar.gz" not in checkpoint_advice(value, [("README.md", backbone)])
    table = (
        "## Main Results\n"
        "| <sub>run_i3d_nlnet_400k_32f.sh</sub> | 32 | 74.9 | [`link`](https://x.com/i3d_nonlocal_32x2_400k.pkl) |\n"
        "| <sub>run_i3d_nlnet_400k.sh</sub> | 8 | 74.7 | [`link`](https://x.com/i3d_nonlocal_8x8_400k.pkl) |\n"
    )
    assert checkpoint_advice(value, [("README.md", backbone + table)]).endswith("i3d_nonlocal_8x8_400k.pkl")


def test_an_environment_chosen_in_the_settings_file(tmp_path):
    # joshiatul/game_playing@737f06be: example_config.yaml sets `env_name: 'gridworld'`; the Atari ids in
    # environments/environment.py are other branches of `Environment(name)`.
    repo = write(
        tmp_path,
        {
            "simulate_environment.py": "from environments.environment import Environment\n",
            "environments/__init__.py": "",
            "environments/environment.py": (
                "import gym\nclass Environment(object):\n    def __init__(self, name):\n"
                "        if name == 'breakout':\n            self.env = gym.make('Breakout-v0')\n"
            ),
            "example_config.yaml": "environment_params:\n  env_name: 'gridworld'\n",
            "atari.yaml": "environment_params:\n  env_name: 'PongNoFrameskip-v4'\n",
        },
    )
    assert "simulator" not in kinds(needs_of(repo, "python simulate_environment.py --config example_config.yaml"))
    assert "simulator" in kinds(needs_of(repo, "python simulate_environment.py --config atari.yaml"))


def test_a_settings_file_with_a_data_path_on_the_authors_machine(tmp_path):
    # wonjaek36/sodeep_final@9fb1c892 src/config_example.json (here as the config.json the run reads):
    # `"ROOT_PATH": "/Users/wonjaek36/workspace/sodeep_final"`.
    repo = write(
        tmp_path,
        {
            "train.py": "parser.add_argument('--config', default='config.json')\n",
            "config.json": (
                '{\n  "ROOT_PATH": "/Users/wonjaek36/workspace/sodeep_final",\n  "OUT_DIR": "/Users/w/out"\n}\n'
            ),
        },
    )
    needs = needs_of(repo, "python train.py")
    [placeholder] = [n for n in needs if n.kind == "placeholder"]
    assert "ROOT_PATH" in placeholder.detail and {"placeholder", "dataset"} <= kinds(needs)


def test_a_path_kept_in_a_variable_and_handed_to_a_reader(tmp_path):
    # chenyeheng/SmartCar-FaceRecognition@7df3c3a7 identify_face_video.py: `classifier_filename =
    # './classifier/classifier_2017.pkl'`, then `open(classifier_filename_exp, 'rb')`, here opened
    # directly; deepinsight/insightface@2d6c2e25 parsing/dml_csr/train.py: `RESTORE_FROM = 'resnet101-imagenet.pth'`
    # then `torch.load(RESTORE_FROM)`: an ImageNet initialisation, not a checkpoint.
    repo = write(
        tmp_path,
        {
            "identify.py": (
                "classifier_filename = './classifier/classifier_2017.pkl'\n"
                "with open(classifier_filename, 'rb') as infile:\n    (model, class_names) = pickle.load(infile)\n"
            ),
            "train.py": "RESTORE_FROM = 'resnet101-imagenet.pth'\nresnet_params = torch.load(RESTORE_FROM)\n",
            "save.py": "PATH = 'out/model.pth'\ntorch.save(net, PATH)\nnet = torch.load(PATH)\n",
        },
    )
    assert [n.kind for n in needs_of(repo, "python identify.py")] == ["dataset"]
    assert not needs_of(repo, "python train.py", kind="train")
    assert not needs_of(repo, "python save.py")


def test_the_nccl_backend_runs_only_on_gpus(tmp_path):
    # deepinsight/insightface@2d6c2e25 recognition/arcface_torch/train_v2.py: `distributed.init_process_group("nccl")`.
    repo = write(
        tmp_path,
        {
            "train_v2.py": 'def main(args):\n    distributed.init_process_group("nccl")\n',
            "gloo.py": "def main(args):\n    distributed.init_process_group(backend='gloo')\n",
        },
    )
    assert "gpu" in kinds(needs_of(repo, "python train_v2.py", kind="train"))
    assert "gpu" not in kinds(needs_of(repo, "python gloo.py", kind="train"))


def test_branches_decided_by_settings_written_in_the_script(tmp_path):
    # iamhankai/attribute-aware-attention@90e0a639 cub_demo.py: `flag_test = False` at the top, then
    # `if(flag_test): model.load_weights(model_weight_path)`; the same shape with a CUDA switch on.
    repo = write(
        tmp_path,
        {
            "cub_demo.py": (
                "flag_test = False\nmodel_weight_path = './model/weights_resnet50_86.1.h5'\n"
                "model = Model(inputs, out_list)\nif(flag_test):\n    model.load_weights(model_weight_path)\n"
            ),
            "cuda_on.py": "USE_CUDA = True\nmodel = Net()\nif USE_CUDA:\n    model = model.cuda()\n",
        },
    )
    assert "checkpoint" not in kinds(needs_of(repo, "python cub_demo.py"), blocking=False)
    assert "gpu" in kinds(needs_of(repo, "python cuda_on.py"))


def test_model_files_and_model_flags_of_an_evaluation(tmp_path):
    # zomux/neuralcompressor@aa57ec5c README step 4: `--model data/mymodel` (written by step 3's
    # --train) in the evaluation; a Darknet `.weights` file is a model whatever flag passes it.
    repo = write(tmp_path, {"bin/quantize_embed.py": "import numpy as np\n", "detect.py": "import torch\n"})
    assert "checkpoint" in kinds(needs_of(repo, "python bin/quantize_embed.py --model data/mymodel --evaluate"))
    assert "checkpoint" not in kinds(needs_of(repo, "python bin/quantize_embed.py --model resnet50 --evaluate"))
    assert "checkpoint" in kinds(needs_of(repo, "python detect.py --cfg cfg/yolov3.cfg --source yolov3.weights"))


def test_a_bare_file_name_a_data_reader_opens(tmp_path):
    # nithishkaviyan/Sentiment-Analysis-of-Yelp-Reviews@f430ae4a: `pd.read_csv('select_users.csv')`, made
    # by another script from the Yelp dump; philipperemy/keras-tcn@c792ae57 tasks/time_series_forecasting.py
    # reads the CSV committed beside it.
    repo = write(
        tmp_path,
        {
            "select.py": "user_data=pd.read_csv('select_users.csv',sep=',')\n",
            "tasks/forecast.py": "milk = pd.read_csv('monthly-milk-production-pounds-p.csv', index_col=0)\n",
            "tasks/monthly-milk-production-pounds-p.csv": "month,milk\n",
            "log.py": "with open('train_log.txt') as f:\n    pass\n",
            # nd7141/AWE@6419ac01 AnonymousWalkEmbeddings.py: a read left commented out.
            "awe.py": "    # E = np.load('imdb_b.embeddings.txt')['E']\n",
        },
    )
    assert not needs_of(repo, "python awe.py", kind="run")
    assert "dataset" in kinds(needs_of(repo, "python select.py", kind="run"))
    assert not needs_of(repo, "python forecast.py", cwd="tasks", kind="run")
    assert not needs_of(repo, "python log.py", kind="run")


def test_a_cuda_device_set_only_when_a_gpu_id_is_given(tmp_path):
    # MIT-HAN-LAB/temporal-shift-module@c1d59e8a test_models.py: `--gpus` (default None) tested with
    # `if args.gpus is not None:`, here in front of the CUDA call.
    repo = write(
        tmp_path,
        {
            "test_models.py": (
                "parser.add_argument('--gpus', nargs='+', type=int, default=None)\n"
                "def main(args):\n    if args.gpus is not None:\n        torch.cuda.set_device(args.gpus[0])\n"
            ),
        },
    )
    assert "gpu" not in kinds(needs_of(repo, "python test_models.py something"))
    assert "gpu" in kinds(needs_of(repo, "python test_models.py something --gpus 0"))


def test_your_in_a_value_with_a_hyphen_is_a_placeholder(tmp_path):
    # The `YOUR_…` shape of Atomu2014/product-nets-distributed@006718b4's README, spelled with hyphens.
    repo = write(tmp_path, {"eval.py": "import torch\n"})
    needs = needs_of(repo, "python eval.py --data-root your-dataset-root --resume ./your-model.pth")
    assert {n.key for n in needs if n.kind == "placeholder"} == {"data_root", "resume"}
    assert {"dataset", "checkpoint"} <= kinds(needs)


def test_the_main_block_is_no_choice(tmp_path):
    # wlstyql/keras_with_mat_for_unet@d77acb80 test.py: the weights load sits in `if __name__ == '__main__':`,
    # which every run of the script takes (it is not an `if` that may skip the load).
    repo = write(
        tmp_path,
        {
            "test.py": (
                "import keras.backend as K\n\nif __name__ == '__main__':\n\n"
                "    K.set_image_data_format('channels_last')\n    fname = 'result_file_name'\n"
                "    model = get_unet()\n    # load pre-trained weights ( 'weights_' + fname )\n"
                "    model.load_weights('weights_%s.h5' % fname)\n"
            )
        },
    )
    [checkpoint] = [n for n in needs_of(repo, "python test.py") if n.kind == "checkpoint"]
    assert checkpoint.blocking and "weights_%s.h5" in checkpoint.detail


def test_a_gpu_the_command_asks_for(tmp_path):
    # opringle/VDCNN-for-text-classification@66928a04 train_ag_news.sh and vdcnn.py: the script passes
    # `--gpus=0`, and the code puts the model on `mx.gpu(i)` unless --gpus is empty.
    repo = write(
        tmp_path,
        {
            "train_ag_news.sh": "python -u vdcnn.py --data=./data/ag_news --output-dir=./ag_news --gpus=0\n",
            "vdcnn.py": (
                "parser.add_argument('--gpus', type=str, default='',\n"
                "                    help='list of gpus to run, e.g. 0 or 0,2,5. empty means using cpu.')\n"
                "args = parser.parse_args()\n"
                "devs = mx.cpu() if args.gpus is None or args.gpus is '' else "
                "[mx.gpu(int(i)) for i in args.gpus.split(',')]\n"
            ),
        },
    )
    [gpu] = [n for n in needs_of(repo, "bash train_ag_news.sh", kind="train") if n.kind == "gpu"]
    assert gpu.blocking and "--gpus=0" in gpu.detail
    # The same code run without asking for a GPU: the empty default is the CPU.
    assert "gpu" not in kinds(needs_of(repo, "python vdcnn.py --data=./data/ag_news", kind="train"))


def test_a_link_is_read_by_its_own_words_first():
    # The words nearest a link decide before its heading: ycszen/TorchSeg@62eeb159 README.md lists its
    # ImageNet initialisations as `- [ResNet18](...)` under "Pretrained Model"; facebook/fb.resnet.torch
    # @985e569d pretrained/README.md lists its own trained classifiers the same way, without "pre-trained".
    drive = "https://drive.google.com/file/d/1PP7mEMvqW6vBMDeNhrS6l13RU5TwI6cA/view?usp=sharing"
    assert link_kind(drive, f"### Pretrained Model\n### Pretrained Model\n- [ResNet18]({drive})") == "backbone"
    t7 = "https://d2j0dndfm35trm.cloudfront.net/resnet-50.t7"
    assert link_kind(t7, f"\n- [ResNet-34](https://x/resnet-34.t7)\n- [ResNet-50]({t7})") != "backbone"
    # eric-erki/darknet@552207d6 README.md: weights fetched to start training from are an initialisation;
    # D-X-Y/SAN@1d4fd206 SBR/README.md: "a pre-trained model on 300-W" under Training is the released one.
    conv = "http://pjreddie.com/media/files/darknet53.conv.74"
    context = (
        f"## How to train (Pascal VOC Data):\n\n1. Download pre-trained weights for the convolutional layers: {conv}"
    )
    assert link_kind(conv, context) == "backbone"
    # The same README's "## How to train (to detect your custom objects):": "your" is not "our".
    assert link_kind(conv, context.replace("(Pascal VOC Data)", "(to detect your custom objects)")) == "backbone"
    sbr = "https://drive.google.com/open?id=1znVYaCheFJ6VbZmzS1fcfkHoOV4K9H6L"
    assert link_kind(sbr, f"## Training\n\nand a pre-trained model on 300-W is at [Google Driver]({sbr}).") == "model"
    # sdauzcm/SR-pytorch-SRResNet@d715729c README.md: what a model was trained on is data.
    zip_ = "http://cv.snu.ac.kr/research/VDSR/train_data.zip"
    line = f"  - We provide a pretrained model trained on [291]({zip_}) images with data augmentation"
    assert link_kind(zip_, f"### Performance\n### Performance\n{line}") == "dataset"
    # cheng18/bilm-tf@36800fa3 README.md: the vocabulary among a checkpoint's files is not the checkpoint.
    vocab = "https://s3-us-west-2.amazonaws.com/allennlp/models/elmo/vocab-2016-09-10.txt"
    faq = f"#### Can you provide the tensorflow checkpoint from training?\n\n* [vocabulary]({vocab})"
    assert link_kind(vocab, faq) != "model"


def test_positional_weights_data_and_a_windows_build(tmp_path):
    # eric-erki/darknet@552207d6 README.md: `darknet.exe detector map data/voc.data cfg/yolov2-voc.cfg
    # yolo-voc.weights` in build/darknet/x64: the weights are passed by position and are not there, the
    # `.data` file lists a test list that voc_label.py makes, and darknet.exe is built from the sources.
    repo = write(
        tmp_path,
        {
            "build/darknet/x64/data/voc.data": (
                "classes= 20\ntrain  = data/train_voc.txt\nvalid  = data/2007_test.txt\n"
                "names = data/voc.names\nbackup = backup/\n"
            ),
            "build/darknet/x64/data/voc.names": "aeroplane\n",
            "build/darknet/x64/cfg/yolov2-voc.cfg": "[net]\nbatch=64\n",
            "Makefile": "darknet: obj\n",
        },
    )
    command = "darknet.exe detector map data/voc.data cfg/yolov2-voc.cfg yolo-voc.weights"
    needs = needs_of(repo, command, cwd="build/darknet/x64")
    found = {(n.kind, n.blocking) for n in needs}
    assert {("checkpoint", True), ("dataset", True), ("system", True)} <= found
    assert any("yolo-voc.weights" in n.detail for n in needs if n.kind == "checkpoint")
    assert any("data/2007_test.txt" in n.detail for n in needs if n.kind == "dataset")
    # Everything there (weights downloaded, test list made): only the build is left.
    made = ("yolo-voc.weights", "data/2007_test.txt", "data/train_voc.txt")
    write(repo, {f"build/darknet/x64/{name}": "" for name in made})
    assert kinds(needs_of(repo, command, cwd="build/darknet/x64")) == {"system"}


def test_a_result_file_the_evaluation_reads_is_needed(tmp_path):
    # HoganZhang/Person_reID_baseline_pytorch@6849c718 evaluate.py: it reads the features that test.py saves,
    # `pytorch_result.mat`; a data reader's file is needed whatever its name says.
    repo = write(
        tmp_path,
        {"evaluate.py": "import scipy.io\nimport torch\n\nresult = scipy.io.loadmat('pytorch_result.mat')\n"},
    )
    [data] = [n for n in needs_of(repo, "python evaluate.py") if n.kind == "dataset"]
    assert data.blocking and "pytorch_result.mat" in data.detail


def test_a_data_path_under_the_authors_root_home(tmp_path):
    # ycszen/TorchSeg@62eeb159 model/bisenet/cityscapes.bisenet.R18/config.py, imported by eval.py:
    # Cityscapes is expected under /root/..., the home of the authors' root user.
    repo = write(
        tmp_path,
        {
            "m/eval.py": "from config import config\n",
            "m/config.py": (
                "from easydict import EasyDict as edict\nC = edict()\nconfig = C\n"
                'C.dataset_path = "/root/Source/Datasets/Segmentation/Cityscapes/"\n'
                "C.img_root_folder = C.dataset_path\n"
            ),
        },
    )
    needs = needs_of(repo, "python eval.py", cwd="m")
    assert {"dataset", "placeholder"} <= kinds(needs)
    assert any("/root/Source/Datasets" in n.detail for n in needs if n.kind == "dataset")


def test_every_branch_reads_missing_data(tmp_path):
    # sheffieldnlp/stance-conditional@d9096575 stancedetection/conditional.py: the test setting and the
    # trial setting each read SemEval files that the docs ask the reader to download into data/.
    main = (
        "def readInputAndEval(testSetting, outfile):\n"
        '    if testSetting == "true":\n'
        '        trainingdata = "../data/semeval2016-task6-train+dev.txt"\n'
        '        testdata = "../data/SemEval2016-Task6-subtaskB-testdata-gold.txt"\n'
        "    else:\n"
        '        trainingdata = "../data/semeval2016-task6-trainingdata_new.txt"\n'
        '        testdata = "../data/semEval2016-task6-trialdata_new.txt"\n'
        "    tweets = readTweetsOfficial(trainingdata)\n"
    )
    repo = write(tmp_path, {"stancedetection/conditional.py": main})
    data = [n for n in needs_of(repo, "python3 conditional.py", cwd="stancedetection") if n.kind == "dataset"]
    assert data and all(n.blocking for n in data)
    # With a way past the reads (no else), they stay advice.
    write(repo, {"stancedetection/conditional.py": main.replace("    else:\n", "    if testSetting == 'x':\n")})
    data = [n for n in needs_of(repo, "python3 conditional.py", cwd="stancedetection") if n.kind == "dataset"]
    assert data and not any(n.blocking for n in data)


def test_a_json_kept_as_data(tmp_path):
    # entslscheia/GGNN_Reasoning@f6e5efbc main.py: the data set is a JSON file named by `opt.dataroot`;
    # a JSON of settings (`opt.config`) is not data.
    main = "opt = parser.parse_args()\nopt.dataroot = 'data/www01.json'\nopt.config = 'conf/run.json'\n"
    repo = write(tmp_path, {"main.py": main})
    [data] = [n for n in needs_of(repo, "python main.py") if n.kind == "dataset"]
    assert data.blocking and "data/www01.json" in data.detail


def test_training_switched_off_is_an_evaluation(tmp_path):
    # naturomics/CapsNet-Tensorflow@5b464caa: `python main.py --is_training=False` restores the newest
    # checkpoint in --logdir (default `logdir`), which only a training run writes.
    repo = write(
        tmp_path,
        {
            "config.py": (
                "import tensorflow as tf\nflags = tf.app.flags\n"
                "flags.DEFINE_boolean('is_training', True, 'train or predict phase')\n"
                "flags.DEFINE_string('logdir', 'logdir', 'logs directory')\ncfg = tf.app.flags.FLAGS\n"
            ),
            "main.py": (
                "import tensorflow as tf\nfrom config import cfg\n\ndef evaluation(model, supervisor):\n"
                "    with supervisor.managed_session() as sess:\n"
                "        supervisor.saver.restore(sess, tf.train.latest_checkpoint(cfg.logdir))\n"
            ),
        },
    )
    command = "python main.py --is_training=False"
    [checkpoint] = [n for n in needs_of(repo, command, kind=command_kind(command)) if n.kind == "checkpoint"]
    assert checkpoint.blocking and "logdir" in checkpoint.detail
    assert command_kind("python main.py --is_training True") == "run"


def test_values_written_as_what_they_name(tmp_path):
    # benkrause/dynamic-evaluation@8f872c50 README.md: `python dynamiceval.py --model modelname.pt`;
    # wlstyql/keras_with_mat_for_unet@d77acb80 test.py: `test_mat_file = 'test_file_name'` under
    # "# insert test mat file name", handed to the data reader.
    repo = write(
        tmp_path,
        {
            "dynamiceval.py": "parser.add_argument('--model', type=str, default='model.pt')\n",
            "test.py": (
                "if __name__ == '__main__':\n    # insert test mat file name\n    test_mat_file = 'test_file_name'\n"
                "    # insert weights load name wo/ weights_\n    fname = 'result_file_name'\n"
                "    imgs_test, test_label = load_test_mat(test_mat_file)\n"
            ),
        },
    )
    spelled = needs_of(repo, "python dynamiceval.py --model modelname.pt")
    assert {"placeholder", "checkpoint"} <= kinds(spelled)
    assert any(n.key == "model" for n in spelled if n.kind == "placeholder")
    edited = needs_of(repo, "python test.py")
    details = " ".join(n.detail for n in edited if n.kind == "placeholder")
    assert "test_file_name" in details and "result_file_name" in details
    assert any("test_mat_file" in n.detail for n in edited if n.kind == "dataset" and n.blocking)
    # A real file name is not a description: `--model models/lstm.pt` is a checkpoint, not a placeholder.
    assert "placeholder" not in kinds(needs_of(repo, "python dynamiceval.py --model models/lstm.pt"))


def test_a_placeholder_path_that_names_the_checkpoint(tmp_path):
    # cheng18/bilm-tf@36800fa3 README.md: `python bin/run_test.py --test_prefix='/path/to/...' --vocab_file
    # /path/to/vocab-2016-09-10.txt --save_dir /output_path/to/checkpoint`: the last is the trained model.
    repo = write(tmp_path, {"bin/run_test.py": "import argparse\n"})
    command = "python bin/run_test.py --vocab_file /path/to/vocab-2016-09-10.txt --save_dir /output_path/to/checkpoint"
    needs = needs_of(repo, command)
    assert any(n.key == "save_dir" for n in needs if n.kind == "placeholder")
    assert [n.blocking for n in needs if n.kind == "checkpoint"] == [True]


def test_a_default_path_written_in_pieces(tmp_path):
    # andrejonasson/dynamic-coattention-network-plus@0b8c9987 question_answering/main.py: SQuAD is read from
    # --data_dir, whose default is `os.path.join("..", "data", "squad")`; preprocessing makes it.
    repo = write(
        tmp_path,
        {
            "question_answering/main.py": (
                'tf.app.flags.DEFINE_string("data_dir", os.path.join("..", "data", "squad"), '
                '"SQuAD directory (default ../data/squad)")\n'
                "parser.add_argument('--train_file', default=os.path.join('..', 'data', 'train.json'))\n"
            )
        },
    )
    needs = needs_of(repo, "python main.py --mode train", cwd="question_answering", kind="train")
    data = " ".join(n.detail for n in needs if n.kind == "dataset" and n.blocking)
    assert "../data/squad" in data and "../data/train.json" in data


def test_a_script_held_in_a_quoted_variable_and_run_from_a_folder_it_makes(tmp_path):
    # cooijmanstim/recurrent-batch-normalization@fe9efe65 experiments/penntreebank_bn-lstm.sh: the script is
    # in `command="../penntreebank.py ..."`, run after `mkdir -p $directory; cd $directory`; it reads
    # `os.environ["CHAR_LEVEL_PENNTREE_NPZ"]`.
    repo = write(
        tmp_path,
        {
            "experiments/penntreebank_bn-lstm.sh": (
                'command="../penntreebank.py --optimizer adam --num-epochs 50"\nlr=0.002\nnh=1000\n'
                "directory=bn-lstm-nh$nh-lr$lr\nmkdir -p $directory\ncd $directory\n"
                "python $command --num-hidden $nh --learning-rate $lr\ncd ..\n"
            ),
            "penntreebank.py": 'import os\n\ndef get_data():\n    path = os.environ["CHAR_LEVEL_PENNTREE_NPZ"]\n',
        },
    )
    sources = follow("bash experiments/penntreebank_bn-lstm.sh", repo)
    assert "penntreebank.py" in [s.path for s in sources]
    needs = needs_of(repo, "bash experiments/penntreebank_bn-lstm.sh", kind="train")
    assert any("CHAR_LEVEL_PENNTREE_NPZ" in n.detail for n in needs if n.kind == "env" and n.blocking)


def test_a_doc_sentence_wrapped_over_lines_is_read_whole(tmp_path):
    # cheng18/bilm-tf@36800fa3 README.md: "To run the image, you must use nvidia-docker, because this
    # repository\nrequires GPUs." is about the Docker image; the line "requires GPUs." alone is not the run.
    repo = write(tmp_path, {"bin/run_test.py": "import argparse\n"})
    docs = "To run the image, you must use nvidia-docker, because this repository\nrequires GPUs.\n"
    assert "gpu" not in kinds(needs_of(repo, "python bin/run_test.py", docs=docs))
    assert "gpu" in kinds(needs_of(repo, "python bin/run_test.py", docs="## Setup\n\nThe code\nrequires a GPU.\n"))


def test_the_data_step_is_not_a_weights_download():
    # eric-erki/darknet@552207d6 README.md: the weights line shares the host's name (pjreddie) with the
    # author path the data list names; the step that makes the list is the voc_label.py one.
    from scout.baseline.discover.links import download_advice

    docs = [
        (
            "README.md",
            "1. Download pre-trained weights for the convolutional layers (154 MB): "
            "http://pjreddie.com/media/files/darknet53.conv.74 and put to the directory `build\\darknet\\x64`\n"
            "2.1 Download file `voc_label.py` to dir `build\\darknet\\x64\\data\\voc`: "
            "http://pjreddie.com/media/files/voc_label.py\n",
        )
    ]
    assert "voc_label.py" in download_advice("/home/pjreddie/data/voc/2007_test.txt", docs)


def test_a_weights_cache_is_no_data_fetch_and_a_picture_no_dataset(tmp_path):
    # StupidmanTan/facebookresearch@672f3975 (DensePose): detectron/utils/io.py fetches weights into a
    # cache (`download_url(url, cache_file_path)`), which does not fetch the COCO data the test reads;
    # the README's `<img src="https://drive.google.com/uc?...">` is a picture, INSTALL.md has the data step.
    repo = write(
        tmp_path,
        {
            "tools/test_net.py": "from detectron.utils.io import cache_url\n",
            "detectron/utils/io.py": (
                "def cache_url(url_or_file, cache_dir):\n    download_url(url, cache_file_path)\n\n"
                "def download_url(url, dst_file_path):\n    response = urlopen(url)\n"
            ),
        },
    )
    docs = (
        '<img src="https://drive.google.com/uc?export=view&id=1uYRJkIA24KkJU2i4sMwrKa61P0xtZzHk" width="800px" />\n\n'
        "For evaluation, get the necessary files:\n```\ncd $DENSEPOSE/DensePoseData\nbash get_eval_data.sh\n```\n"
    )
    [data] = [n for n in needs_of(repo, "python2 tools/test_net.py --cfg x.yaml", docs=docs) if n.kind == "dataset"]
    assert data.blocking and "get_eval_data.sh" in data.detail and "drive.google" not in data.detail


def test_tf_contrib_blocks_only_where_the_repo_declares_no_tensorflow_1(tmp_path):
    # andrejonasson/dynamic-coattention-network-plus@0b8c9987: requirements.txt pins
    # tensorflow-gpu==1.10.0, so installing what the repo declares brings tf.contrib (advice);
    # zomux/neuralcompressor@ab293a87 declares no TensorFlow at all (blocking: pip gives 2.x).
    code = {"networks/dcn_model.py": "import tensorflow as tf\nfrom tensorflow.contrib import rnn\n"}
    pinned = write(tmp_path / "pinned", {**code, "requirements.txt": "numpy\ntensorflow-gpu==1.10.0\n"})
    [advice] = [n for n in needs_of(pinned, "python networks/dcn_model.py") if n.kind == "system"]
    assert not advice.blocking and "tensorflow-gpu==1.10" in advice.detail
    bare = write(tmp_path / "bare", code)
    [tf1] = [n for n in needs_of(bare, "python networks/dcn_model.py") if n.kind == "system"]
    assert tf1.blocking and "TensorFlow 1.x" in tf1.detail
    # openai/cleverhans@4aed4be7 README.md: where it was tested and what is deprecated ask for nothing;
    # naturomics/CapsNet-Tensorflow@5b464caa README.md's requirement list does.
    tested = (
        "we currently [test it](https://travis-ci.org/tensorflow/cleverhans) it with Python\n"
        "3.5 and TensorFlow {1.8, 1.12} on Ubuntu 14.04.5 LTS (Trusty Tahr).\n"
        "Support for TensorFlow 1.7 and earlier is already deprecated: we do not fix\n"
    )
    assert "system" in kinds(needs_of(bare, "python networks/dcn_model.py", docs=tested))
    listed = "- [Tensorflow](https://github.com/tensorflow/tensorflow)>=1.3\n- Python 2.7\n"
    assert "system" not in kinds(needs_of(bare, "python networks/dcn_model.py", docs=listed))


def test_a_floor_or_another_package_is_no_old_tensorflow_pin(tmp_path):
    # ApexPredator1/DenseNet_tensorflow@8615c5f9 README.rst "TensorFlow >= 0.10" is a floor;
    # JHart96/keras_elmo_embedding_layer@de86075d README.md "Tensorflow Hub 0.1.1" is TF Hub's version.
    repo = write(tmp_path, {"run.py": "import tensorflow as tf\n"})
    for docs in ("- Model should work as expected with TensorFlow >= 0.10.\n", "* Tensorflow Hub 0.1.1\n"):
        assert "system" not in kinds(needs_of(repo, "python run.py", docs=docs))


def test_a_folder_the_run_names_that_lacks_one_of_the_files_read_together(tmp_path):
    # arvieFrydenlund/awd-lstm-lm@85b4eb17 data.py: Corpus(args.data) joins train/valid/test.txt, and
    # data/penn holds valid.txt and test.txt only (train.txt left out of the checkout).
    awd = write(
        tmp_path / "awd",
        {
            "main.py": "import data\ncorpus = data.Corpus(args.data)\n",
            "data.py": (
                "import os\nclass Corpus(object):\n    def __init__(self, path):\n"
                "        self.train = self.tokenize(os.path.join(path, 'train.txt'))\n"
                "        self.valid = self.tokenize(os.path.join(path, 'valid.txt'))\n"
                "        self.test = self.tokenize(os.path.join(path, 'test.txt'))\n"
                "        self.vocab = os.path.join(path, 'vocab.pkl')\n"
            ),
            "data/penn/valid.txt": "a b\n",
            "data/penn/test.txt": "a b\n",
        },
    )
    [data] = [n for n in needs_of(awd, "python main.py --data data/penn --save PTB.pt") if n.kind == "dataset"]
    assert data.blocking and "data/penn/train.txt" in data.detail  # vocab.pkl is another kind of file: made
    (awd / "data/penn/train.txt").write_text("a b\n")
    assert "dataset" not in kinds(needs_of(awd, "python main.py --data data/penn --save PTB.pt"))
    # Diego999/pyGAT@3664f2dc utils.py: "{}{}.content" and "{}{}.cites" of one folder, only cora.cites there.
    gat = write(
        tmp_path / "gat",
        {
            "train.py": "from utils import load_data\nadj, features = load_data()\n",
            "utils.py": (
                'def load_data(path="./data/cora/", dataset="cora"):\n'
                '    x = np.genfromtxt("{}{}.content".format(path, dataset), dtype=np.dtype(str))\n'
                '    e = np.genfromtxt("{}{}.cites".format(path, dataset), dtype=np.int32)\n'
            ),
            "data/cora/cora.cites": "1 2\n",
        },
    )
    assert any("data/cora/cora.content" in n.detail for n in needs_of(gat, "python train.py") if n.blocking)
    # carpedm20/variational-text-tensorflow@7484a523 main.py: "./data/%s" % FLAGS.dataset, default "ptb".
    nvdm = write(
        tmp_path / "nvdm",
        {
            "main.py": (
                "from reader import TextReader\n"
                'flags.DEFINE_string("dataset", "ptb", "The name of dataset [ptb]")\n'
                'data_path = "./data/%s" % FLAGS.dataset\nreader = TextReader(data_path)\n'
            ),
            "reader.py": (
                "class TextReader(object):\n  def __init__(self, data_path):\n"
                '    train_path = os.path.join(data_path, "train.txt")\n'
                '    valid_path = os.path.join(data_path, "valid.txt")\n'
                '    test_path = os.path.join(data_path, "test.txt")\n'
            ),
            "data/ptb/valid.txt": "a\n",
            "data/ptb/test.txt": "a\n",
        },
    )
    assert any("data/ptb/train.txt" in n.detail for n in needs_of(nvdm, "python main.py --forward_only True"))


def test_a_shell_script_that_runs_r(tmp_path):
    # meghanathmacha/xPACS@35884739 src/Model/full.bash: `R --slave -f processdata.R` (R, like Rscript).
    repo = write(tmp_path, {"full.bash": '#!/bin/sh\nR --slave -f processdata.R\necho "Part 1 done"\n'})
    [r] = [n for n in needs_of(repo, "bash full.bash") if n.kind == "system"]
    assert r.blocking and "`R`" in r.detail
    assert "system" not in kinds(needs_of(repo, "bash full.bash", which=lambda program: "/usr/bin/R"))


def test_the_repos_own_script_started_from_another_folder_is_no_other_project(tmp_path):
    # philipperemy/keras-tcn@7576256b README.md: `cd adding_problem/ && python main.py` means
    # tasks/adding_problem/main.py; pandigreat/DELF@b4131d5e script/test_resetnet50.sh starts
    # `python ./test_resnet.py`, which is src/test_resnet.py. HUJI-Deep/nice@023d47f7's xtrain.py is
    # nowhere in the repo: another project's.
    repo = write(
        tmp_path,
        {
            "tasks/adding_problem/main.py": "print(1)\n",
            "tasks/copy_memory/main.py": "print(1)\n",
            "script/test_resetnet50.sh": "python ./test_resnet.py --offset 1 --n_classes 17\n",
            "src/test_resnet.py": "print(1)\n",
        },
    )
    assert "system" not in kinds(needs_of(repo, "cd adding_problem/ && python main.py"))
    assert "system" not in kinds(needs_of(repo, "bash script/test_resetnet50.sh"))
    assert "system" in kinds(needs_of(repo, "cd lstm/ && python main.py"))
    assert "system" in kinds(needs_of(repo, "python xtrain.py exp/nice_x.yaml"))


def test_an_extension_imported_under_try_is_optional(tmp_path):
    # aditya30394/Person-Re-Identification@455e9984 deep-person-reid/torchreid/eval_metrics.py:
    # `try: from torchreid.eval_lib.cython_eval import ... except ImportError:` falls back to Python;
    # the README's build step is "To accelerate evaluation (10x faster), ... cython-based evaluation".
    docs = (
        "4. To accelerate evaluation (10x faster), you can use cython-based evaluation code. First `cd` to "
        "`eval_lib`, then do `make` or `python setup.py build_ext -i`.\n"
    )
    files = {
        "train.py": "from torchreid import models\n",
        "torchreid/__init__.py": "",
        "torchreid/models.py": "import torch\n",
        "torchreid/eval_lib/eval.pyx": "cdef int x\n",
        "torchreid/eval_metrics.py": (
            "import numpy as np\ntry:\n    from torchreid.eval_lib.cython_eval import eval_market1501_wrap\n"
            "    CYTHON_EVAL_AVAI = True\nexcept ImportError:\n    CYTHON_EVAL_AVAI = False\n"
        ),
    }
    repo = write(tmp_path / "tried", files)
    [ext] = [n for n in needs_of(repo, "python train.py --evaluate", docs=docs) if n.kind == "system"]
    assert not ext.blocking and "eval.pyx" in ext.detail
    plain = {**files, "torchreid/eval_metrics.py": "from torchreid.eval_lib.cython_eval import eval_market1501_wrap\n"}
    repo = write(tmp_path / "plain", plain)
    assert "system" in kinds(needs_of(repo, "python train.py --evaluate", docs=docs))


def test_a_file_named_by_an_environment_variable_is_a_need_too(tmp_path):
    # cooijmanstim/recurrent-batch-normalization@fe9efe65 penntreebank.py:
    # `path = os.environ["CHAR_LEVEL_PENNTREE_NPZ"]` then `data = np.load(path)`: the variable and the
    # preprocessed data it points to.
    repo = write(
        tmp_path,
        {
            "penntreebank.py": (
                "import os\nimport numpy as np\n_data_cache = dict()\n\ndef get_data(which_set):\n"
                "    if which_set not in _data_cache:\n"
                '        path = os.environ["CHAR_LEVEL_PENNTREE_NPZ"]\n        data = np.load(path)\n'
            ),
            "settings.py": 'import os\nLOG = os.environ["RUN_NAME"]\nprint(LOG)\n',
        },
    )
    needs = needs_of(repo, "python penntreebank.py")
    assert {"env", "dataset"} <= kinds(needs)
    assert any("CHAR_LEVEL_PENNTREE_NPZ" in n.detail and "np.load" in n.detail for n in needs if n.kind == "dataset")
    assert "dataset" not in kinds(needs_of(repo, "python settings.py"))  # a name, not a file read


def test_a_data_file_found_from_the_modules_own_folder(tmp_path):
    # microljy/graph_level_drug_discovery@6719286a examples/pcba/pcba_datasets.py: the path is joined to
    # dirname(__file__) and handed to deepchem's `loader.featurize(dataset_file)`, no reader scout knows;
    # datasets/pcba.csv.gz is not in the checkout (tox21.csv.gz, read the same way, is).
    loader = (
        "import os\n\ndef load_{0}(featurizer='ECFP'):\n"
        "  current_dir = os.path.dirname(os.path.realpath(__file__))\n"
        '  dataset_file = os.path.join(current_dir, "../../datasets/{0}.csv.gz")\n'
        "  dataset = loader.featurize(dataset_file)\n"
    )
    repo = write(
        tmp_path,
        {
            "train.py": "from examples.pcba.pcba_datasets import load_pcba as load_data\n",
            "tox.py": "from examples.tox21.tox21_datasets import load_tox21 as load_data\n",
            "examples/pcba/pcba_datasets.py": loader.format("pcba"),
            "examples/tox21/tox21_datasets.py": loader.format("tox21"),
            "datasets/tox21.csv.gz": "x",
        },
    )
    [data] = [n for n in needs_of(repo, "python train.py --dataset pcba") if n.kind == "dataset"]
    assert data.blocking and "pcba.csv.gz" in data.detail
    assert "dataset" not in kinds(needs_of(repo, "python tox.py --dataset tox21"))


def test_a_package_imported_from_a_folder_on_the_authors_machine(tmp_path):
    # KeAWang/BayesianGAN4AdversarialAttacks@91d9ebd5 bayesian_gan_hmc.py: `sys.path.insert(0,
    # '/home/alex/cleverhans')` (two other authors' lines commented out), then `from cleverhans.attacks import`.
    code = (
        "import sys\n#sys.path.insert(0, '/home/ubuntu/cleverhans')\nsys.path.insert(0, '/home/alex/cleverhans')\n"
        "import tensorflow as tf\nfrom cleverhans.attacks import FastGradientMethod\n"
    )
    repo = write(tmp_path, {"bayesian_gan_hmc.py": code})
    [system] = [n for n in needs_of(repo, "python bayesian_gan_hmc.py --adv_test") if n.kind == "system"]
    assert system.blocking and "cleverhans" in system.detail and "/home/alex/cleverhans" in system.detail
    write(repo, {"cleverhans/__init__.py": ""})  # the repo ships the package: nothing to install
    assert "system" not in kinds(needs_of(repo, "python bayesian_gan_hmc.py --adv_test"))


def test_a_device_parameter_that_defaults_to_cuda(tmp_path):
    # Chillee/CorrectAndSmoothOGB@a91d539 outcome_correlation.py: `def only_outcome_correlation(..., device='cuda',
    # display=True)`, which run_experiments.py picks as `gat_fn = only_outcome_correlation` and calls
    # without a device; a caller that passes one (or asks cuda.is_available()) is no need.
    repo = write(
        tmp_path,
        {
            "outcome_correlation.py": (
                "def only_outcome_correlation(data, model_out, split_idx, A, alpha,\n"
                "                             labels, device='cuda', display=True):\n    return A.to(device)\n"
            ),
            "run_experiments.py": (
                "from outcome_correlation import *\n\ndef main():\n    gat_fn = only_outcome_correlation\n"
                "    res = gat_fn(data, model_outs[0], split_idx, A, 0.8, labels)\n"
            ),
            "passes.py": (
                "from outcome_correlation import *\ndev = 'cuda' if torch.cuda.is_available() else 'cpu'\n"
                "res = only_outcome_correlation(data, out, idx, A, 0.8, labels, device=dev)\n"
            ),
        },
    )
    [gpu] = [n for n in needs_of(repo, "python run_experiments.py --dataset arxiv --method gat") if n.kind == "gpu"]
    assert gpu.blocking and "outcome_correlation.py:1" in gpu.detail
    assert "gpu" not in kinds(needs_of(repo, "python passes.py"))


def test_a_folder_that_an_imported_config_puts_on_sys_path(tmp_path):
    # ycszen/TorchSeg@07ba393 model/bisenet/cityscapes.bisenet.R18: eval.py does `from config import config`
    # first; config.py calls `add_path(osp.join(C.root_dir, 'furnace'))` with root_dir computed at run
    # time, and eval.py's `from engine.evaluator import Evaluator` lives in furnace/engine, whose
    # `.cuda()` makes the run need a GPU.
    exp = "model/bisenet/cityscapes.bisenet.R18"
    repo = write(
        tmp_path,
        {
            f"{exp}/eval.py": "from config import config\nfrom engine.evaluator import Evaluator\n",
            f"{exp}/config.py": (
                "C = edict()\nC.abs_dir = osp.realpath('.')\n"
                "C.root_dir = C.abs_dir[:C.abs_dir.index(C.repo_name) + len(C.repo_name)]\n\n"
                "def add_path(path):\n    if path not in sys.path:\n        sys.path.insert(0, path)\n\n"
                "add_path(osp.join(C.root_dir, 'furnace'))\n"
            ),
            "furnace/engine/evaluator.py": "def compute(self, img):\n    data = torch.zeros(1).cuda(self.devices[0])\n",
        },
    )
    assert "furnace/engine/evaluator.py" in [s.path for s in follow("python3 eval.py", repo, exp)]
    [gpu] = [n for n in needs_of(repo, "python3 eval.py", cwd=exp) if n.kind == "gpu"]
    assert gpu.blocking and "furnace/engine/evaluator.py" in gpu.detail


def test_a_setting_derived_from_a_flag_decides_the_cuda_branch(tmp_path):
    # benkrause/dynamic-evaluation@1db1696 dynamiceval.py: `--gpu` defaults to 0, then
    # `if args.gpu>=0: args.cuda = True` / `else: args.cuda=False`, and later `if args.cuda: data = data.cuda()`.
    script = (
        "parser.add_argument('--gpu', type=int, default=0,\n"
        "                    help='set gpu device ID (-1 for cpu)')\n"
        "args = parser.parse_args()\nif args.gpu>=0:\n    args.cuda = True\n"
        "    os.environ['CUDA_VISIBLE_DEVICES'] = str(args.gpu)\nelse:\n"
        "    #to run on cpu, model must have been trained on cpu\n    args.cuda=False\n\n"
        "def batchify(data, bsz):\n    if args.cuda:\n        data = data.cuda()\n    return data\n"
    )
    repo = write(tmp_path, {"dynamiceval.py": script})
    [gpu] = [n for n in needs_of(repo, "python dynamiceval.py --model PTB.pt") if n.kind == "gpu"]
    assert gpu.blocking and "dynamiceval.py:13" in gpu.detail
    assert "gpu" not in kinds(needs_of(repo, "python dynamiceval.py --model PTB.pt --gpu -1"))


def test_placeholders_written_in_what_runs(tmp_path):
    # facebookresearch/video-nonlocal-net@d389119 process_data/kinetics/downscale_video_joblib.py:
    # `folder_path = 'YOUR_DATASET_FOLDER/train/'` at the top of the script (and commented-out twins);
    # the same shape as a flag default (`default='path/to/dataset'`) is filled when the command passes it.
    # han-cai/PathLevel-EAS@171b057 code/ImageNet/scripts.sh runs
    # `python main.py --data <path_to_imagenet_dataset> --model condensenet_cell ...`; a script's own
    # variables (`$GPU`, set by its caller) are not placeholders.
    repo = write(
        tmp_path,
        {
            "downscale_video_joblib.py": (
                "file_src = 'trainlist.txt'\nfolder_path = 'YOUR_DATASET_FOLDER/train/'\n\n"
                "# folder_path = 'YOUR_DATASET_FOLDER/val/'\nfile_list = []\n"
            ),
            "eval.py": (
                "parser.add_argument('--data', default='path/to/dataset')\n"
                "parser.add_argument('--vocab', default='<unk>')\nparser.add_argument('--out', default='output/')\n"
            ),
            "scripts.sh": "#!/usr/bin/env bash\n\npython main.py --data <path_to_imagenet_dataset> --model cell\n",
            "vars.sh": "CUDA_VISIBLE_DEVICES=$GPU python main.py --model condensenet_cell\n",
            "main.py": "parser.add_argument('--data', metavar='DIR')\n",
        },
    )
    placeholders = {
        command: [n for n in needs_of(repo, command, kind="run") if n.kind == "placeholder"]
        for command in ("python downscale_video_joblib.py", "python eval.py", "bash scripts.sh")
    }
    [ph] = placeholders["python downscale_video_joblib.py"]
    assert ph.blocking and "downscale_video_joblib.py:2" in ph.detail and "YOUR_DATASET_FOLDER/train/" in ph.detail
    [ph] = placeholders["python eval.py"]
    assert ph.blocking and "--data defaults to `path/to/dataset`" in ph.detail
    [ph] = placeholders["bash scripts.sh"]
    assert ph.blocking and "<path_to_imagenet_dataset>" in ph.detail and "scripts.sh" in ph.detail and ph.key is None
    assert "placeholder" not in kinds(needs_of(repo, "python eval.py --data /data/x"))
    assert "placeholder" not in kinds(needs_of(repo, "bash vars.sh", kind="run"))


def test_cuda_visible_devices_in_the_script_asks_for_a_gpu(tmp_path):
    # dannysdeng/dqn-pytorch@18af6d8 runIt.sh: `export CUDA_VISIBLE_DEVICES=0;` then `python main.py ...`; main.py
    # falls back with `torch.cuda.is_available()` (no need). Without that fallback, a `.cuda()` behind a
    # test the run's values leave open (`if use_cuda:`) runs on the GPU the script picks.
    shell = "export CUDA_VISIBLE_DEVICES=0;\nSEED=1;\nOMP_NUM_THREADS=1 time python main.py --seed $SEED\n"
    repo = write(
        tmp_path,
        {
            "runIt.sh": shell,
            "main.py": (
                "args.cuda = not args.no_cuda and torch.cuda.is_available()\n"
                "device = torch.device('cuda' if args.cuda else 'cpu')\nif args.cuda:\n    model.cuda()\n"
            ),
            "gpu/runIt.sh": shell,
            "gpu/main.py": "use_cuda = opts.get('cuda')\nif use_cuda:\n    model.cuda()\n",
        },
    )
    assert "gpu" not in kinds(needs_of(repo, "./runIt.sh", kind="train"))
    [gpu] = [n for n in needs_of(repo, "./runIt.sh", cwd="gpu", kind="train") if n.kind == "gpu"]
    assert gpu.blocking and "CUDA_VISIBLE_DEVICES=0" in gpu.detail


def test_a_windows_batch_file_is_read_like_a_shell_script(tmp_path):
    # wpsliu123/yolo-windows@2c5e383c build/darknet/x64/calc_mAP_voc_py.cmd, the README's "run the file
    # build/darknet/x64/calc_mAP_voc_py.cmd": `rem` lines, then `darknet.exe detector valid data/voc.data
    # cfg/yolov2-voc.cfg yolo-voc.weights` run in the batch file's own folder, then `pause`.
    repo = write(
        tmp_path,
        {
            "build/darknet/x64/calc_mAP_voc_py.cmd": (
                "rem C:\\Python36\\Scripts\\pip install numpy\n\n"
                "rem darknet.exe detector valid data/voc.data cfg/yolov2-tiny-voc.cfg yolov2-tiny-voc.weights\n\n"
                "darknet.exe detector valid data/voc.data cfg/yolov2-voc.cfg yolo-voc.weights\n\npause\n"
            ),
            "build/darknet/x64/data/voc.data": "classes= 20\nvalid  = data/2007_test.txt\nnames = data/voc.names\n",
            "build/darknet/x64/data/voc.names": "aeroplane\n",
            "build/darknet/x64/cfg/yolov2-voc.cfg": "[net]\nbatch=64\n",
            "Makefile": "GPU=0\nCUDNN=0\nOPENCV=0\n",
        },
    )
    docs = "* `yolo-voc.cfg` (194 MB VOC Yolo v2) - requires 4 GB GPU-RAM: http://pjreddie.com/media/files/yolo-voc.weights\n"
    needs = needs_of(repo, "build/darknet/x64/calc_mAP_voc_py.cmd", docs=docs)
    assert kinds(needs) == {"checkpoint", "dataset", "system"}  # no `gpu`: GPU=0 builds for the CPU
    assert any("yolo-voc.weights" in n.detail for n in needs if n.kind == "checkpoint")
    assert any("2007_test.txt" in n.detail for n in needs if n.kind == "dataset")
    assert not any("tiny" in n.detail for n in needs)  # a `rem` line runs nothing


def test_a_build_with_the_gpu_switched_on_needs_a_gpu(tmp_path):
    # bharatsush/object_detection@625156f5 Makefile: `GPU=1`, `CUDNN=1` at its head; the README's
    # `darknet.exe detector map data/obj.data yolo-obj.cfg backup\yolo-obj_7000.weights` runs what it builds.
    repo = write(tmp_path, {"Makefile": "GPU=1\nCUDNN=1\nOPENCV=1\n\ndarknet: obj\n", "data/obj.data": "classes=1\n"})
    command = "darknet.exe detector map data/obj.data yolo-obj.cfg yolo-obj_7000.weights"
    [gpu] = [n for n in needs_of(repo, command) if n.kind == "gpu"]
    assert gpu.blocking and "GPU=1" in gpu.detail and "GPU=0" in gpu.detail
    assert not any(n.kind == "gpu" for n in needs_of(repo, command, has_gpu=True))
    write(repo, {"Makefile": "GPU=0\nCUDNN=0\n\ndarknet: obj\n"})
    assert not any(n.kind == "gpu" for n in needs_of(repo, command))


def test_cuda_the_command_switches_on_is_advice(tmp_path):
    # mitscha/dplc@10c4b3f6 train.py: `--cuda` is store_true and the README's command passes it;
    # `if opt.cuda: netG.cuda()` (nested ifs too) runs only because of it: drop it and the run is on the CPU.
    # models.py's `isinstance(input.data, torch.cuda.FloatTensor)` (DCGAN's) asks, it allocates nothing.
    repo = write(
        tmp_path,
        {
            "train.py": (
                "import argparse\nimport torch\nfrom models import G\n"
                "parser = argparse.ArgumentParser()\n"
                "parser.add_argument('--cuda', action='store_true', help='enables cuda')\n"
                "parser.add_argument('--useenc', action='store_true')\n"
                "opt = parser.parse_args()\n"
                "if torch.cuda.is_available() and not opt.cuda:\n"
                "    print('WARNING: You have a CUDA device, so you should probably run with --cuda')\n"
                "netG = G()\n"
                "if opt.cuda:\n    netG.cuda()\n    if opt.useenc:\n        netE.cuda()\n"
            ),
            "models.py": (
                "import torch\n\nclass G(object):\n    def forward(self, input):\n"
                "        use_cuda = isinstance(input.data, torch.cuda.FloatTensor)\n        return input\n"
            ),
        },
    )
    needs = needs_of(repo, "python train.py --cuda --useenc", kind="train")
    [gpu] = [n for n in needs if n.kind == "gpu"]
    assert not gpu.blocking and "drop that switch" in gpu.detail
    # A default that turns CUDA on is the run's own: awd-lstm's `--cuda` is store_false.
    write(repo, {"train.py": (repo / "train.py").read_text().replace("store_true', help", "store_false', help")})
    [gpu] = [n for n in needs_of(repo, "python train.py --useenc", kind="train") if n.kind == "gpu"]
    assert gpu.blocking


def test_a_data_folder_under_a_top_folder_no_machine_has(tmp_path):
    # jhoffman/cycada_release@e04d72fb scripts/train_adda.py: `datadir = '/x/jhoffman'` ("Set to your
    # preferred data path"); /x is no standard top folder, so it is the authors' machine's. The digit
    # loaders download into it, so the data itself is advice; the path is the user's to set.
    repo = write(
        tmp_path,
        {
            "scripts/train_adda.py": (
                "from os.path import join\nfrom cycada.data import load_data\n"
                "datadir = '/x/jhoffman'\nsrc_datadir = join(datadir, 'svhn')\n"
            ),
            "cycada/data.py": "from torchvision.datasets import SVHN\n\ndef load_data(root):\n"
            "    return SVHN(root, download=True)\n",
        },
    )
    needs = needs_of(repo, "python scripts/train_adda.py", kind="train")
    [placeholder] = [n for n in needs if n.kind == "placeholder"]
    assert placeholder.blocking and "/x/jhoffman" in placeholder.detail
    assert not any(n.blocking for n in needs if n.kind == "dataset")
    # lRomul/argus-tgs-salt@2ba7db4d src/config.py: `/workdir/data/` is the WORKDIR of the repo's Docker image.
    write(repo, {"scripts/train_adda.py": "datadir = '/workdir/data/'\nopen(datadir + 'x.csv')\n"})
    assert "placeholder" not in kinds(needs_of(repo, "python scripts/train_adda.py", kind="train"))


def test_module_code_after_a_function_that_returns_and_a_flag_aliased_before_the_load(tmp_path):
    # harryhan618/LaneNet@a19cfca9 test_tusimple.py: `def parse_args(): ... return args` above module code;
    # that `return` is parse_args' own, so `device = torch.device('cuda')` below it is unconditional.
    # The weights come from --exp_dir (default ./experiments/exp50) through two variables:
    # `exp_dir = args.exp_dir`, `save_name = os.path.join(exp_dir, ... + '_best.pth')`, `torch.load(save_name)`.
    repo = write(
        tmp_path,
        {
            "test_tusimple.py": (
                "import argparse\nimport os\nimport torch\n\n\ndef parse_args():\n"
                "    parser = argparse.ArgumentParser()\n"
                '    parser.add_argument("--exp_dir", type=str, default="./experiments/exp50")\n'
                "    args = parser.parse_args()\n    return args\n\n"
                "args = parse_args()\nexp_dir = args.exp_dir\nexp_name = exp_dir.split('/')[-1]\n"
                "device = torch.device('cuda')\n"
                "save_name = os.path.join(exp_dir, exp_dir.split('/')[-1] + '_best.pth')\n"
                "save_dict = torch.load(save_name, map_location='cpu')\n"
            ),
        },
    )
    needs = needs_of(repo, "python test_tusimple.py")
    assert kinds(needs) >= {"gpu", "checkpoint"}
    assert any("--exp_dir" in n.detail and "experiments/exp50" in n.detail for n in needs if n.kind == "checkpoint")
    # Given on the command line and there, nothing is left to load.
    write(repo, {"runs/a/a_best.pth": ""})
    assert "checkpoint" not in kinds(needs_of(repo, "python test_tusimple.py --exp_dir runs/a"))


def test_a_cuda_tensor_type_named_but_not_made_runs_nothing(tmp_path):
    # eth-sri/diffai@6a694d7c helpers.py: `variable(torch.cuda.DoubleTensor)` registers methods on the type at
    # import; it makes no CUDA tensor (TorchSeg's `torch.cuda.FloatTensor(b, n, h, w)` does).
    repo = write(
        tmp_path, {"helpers.py": "import torch\nvariable(torch.autograd.Variable)\nvariable(torch.cuda.DoubleTensor)\n"}
    )
    assert "gpu" not in kinds(needs_of(repo, "python helpers.py"))
    write(repo, {"helpers.py": "import torch\nx = torch.cuda.FloatTensor(2, 3).zero_()\n"})
    assert "gpu" in kinds(needs_of(repo, "python helpers.py"))


def test_a_box2d_task_and_a_file_written_with_a_tuple_template(tmp_path):
    # ShangtongZhang/DistributedES@c4de9701 config.py: `self.task = 'BipedalWalker-v2'` (gym's Box2D task);
    # cma_es.py writes its stats with `open('data/%s-stats-%s.bin' % (config.tag, config.task), 'wb')`:
    # a write, not a read of a missing file.
    repo = write(
        tmp_path,
        {
            "cma_es.py": (
                "import pickle\nfrom config import *\n\ndef multi_runs(config):\n    stats = []\n"
                "    with open('data/%s-stats-%s.bin' % (config.tag, config.task), 'wb') as f:\n"
                "        pickle.dump(stats, f)\n"
            ),
            "config.py": (
                "import gym\n\nclass BipedalWalkerConfig:\n    def __init__(self):\n"
                "        self.task = 'BipedalWalker-v2'\n        self.env_fn = lambda: gym.make(self.task)\n"
            ),
        },
    )
    needs = needs_of(repo, "python cma_es.py", kind="train")
    assert kinds(needs) == {"simulator"}
    assert "Box2D" in next(n.detail for n in needs if n.kind == "simulator")


def test_a_pymunk_world_is_a_simulator(tmp_path):
    # borhanreo/Obstacle-Avoid-Car@276c6687 playing.py runs flat_game/carmunk.py, a Pymunk world drawn with Pygame.
    repo = write(
        tmp_path,
        {
            "playing.py": "from flat_game import carmunk\ngame_state = carmunk.GameState()\n",
            "flat_game/__init__.py": "",
            "flat_game/carmunk.py": "import pygame\nimport pymunk\nfrom pymunk.vec2d import Vec2d\n",
        },
    )
    [simulator] = [n for n in needs_of(repo, "python3 playing.py") if n.kind == "simulator"]
    assert simulator.blocking and "Pymunk" in simulator.detail


def test_weights_kept_in_a_variable_and_handed_to_the_repos_own_loader(tmp_path):
    # borhanreo/Obstacle-Avoid-Car@276c6687 playing.py: `saved_model = 'saved-models/128-128-64-50000-50000.h5'`,
    # then `neural_net(NUM_SENSORS, [128, 128], saved_model)`, whose nn.py calls `model.load_weights(load)`;
    # learning.py writes saved-models/, this script only plays.
    repo = write(
        tmp_path,
        {
            "playing.py": (
                "from nn import neural_net\nNUM_SENSORS = 3\n\ndef play(model):\n    model.predict(state)\n\n"
                'if __name__ == "__main__":\n'
                "    saved_model = 'saved-models/128-128-64-50000-50000.h5'\n"
                "    model = neural_net(NUM_SENSORS, [128, 128], saved_model)\n    play(model)\n"
            ),
            "nn.py": "def neural_net(num_sensors, params, load=''):\n    if load:\n        model.load_weights(load)\n",
        },
    )
    [ckpt] = [n for n in needs_of(repo, "python3 playing.py", kind="run") if n.kind == "checkpoint"]
    assert ckpt.blocking and "saved-models/128-128-64-50000-50000.h5" in ckpt.detail
    # SharifAmit/DilatedFCNSegmentation@28481a28 solvedilated.py trains (`solver.step(4000)`): the
    # `weights = '.../vgg16surgery.caffemodel'` it hands to `solver.net.copy_from(weights)` is its initialisation.
    write(
        repo,
        {
            "playing.py": (
                "import caffe\nweights = 'Dilated_FCN-2s_VGG16/snapshot/vgg16surgery.caffemodel'\n"
                "solver = caffe.SGDSolver('solver.prototxt')\nsolver.net.copy_from(weights)\nsolver.step(4000)\n"
            )
        },
    )
    assert "checkpoint" not in kinds(needs_of(repo, "python playing.py", kind="run"))


def test_a_graph_library_data_set_downloads_into_its_root(tmp_path):
    # rusty1s/himp-gnn@f97c0d54 train_zinc_subset.py: `root = 'data/ZINC'`, `ZINC(root, subset=True, ...)` from
    # torch_geometric.datasets, which downloads into root on first use (no download flag to see).
    repo = write(
        tmp_path,
        {
            "train_zinc_subset.py": (
                "import torch\nfrom torch_geometric.datasets import ZINC\n\nroot = 'data/ZINC'\n"
                "train_dataset = ZINC(root, subset=True, split='train')\n"
            ),
        },
    )
    needs = needs_of(repo, "python train_zinc_subset.py", kind="train")
    assert [n.blocking for n in needs if n.kind == "dataset"] == [False]


def test_a_data_file_the_checkout_has_under_another_folder_is_a_path_to_put_right(tmp_path):
    # brendanxwhitaker/tagger-v@e9e6b912 README.md: `./train.py --train train.txt --dev dev.txt --test test.txt`;
    # the checkout has dataset/train.txt and dataset/test.txt: nothing to download, the paths are the user's.
    repo = write(
        tmp_path,
        {
            "train.py": "import optparse\nopts = optparse.OptionParser()\n",
            "dataset/train.txt": "EU B-ORG\n",
            "dataset/test.txt": "EU B-ORG\n",
        },
    )
    needs = needs_of(repo, "./train.py --train train.txt --dev dev.txt --test test.txt", kind="train")
    assert kinds(needs) == {"placeholder"}
    assert any("dataset/train.txt" in n.detail and n.key == "train" for n in needs)
    # Nowhere in the checkout: the data is missing.
    (repo / "dataset/train.txt").unlink()
    assert "dataset" in kinds(needs_of(repo, "./train.py --train train.txt", kind="train"))


def test_a_shell_variable_the_docs_set_before_the_command(tmp_path):
    # facebookresearch/multigrain@172bb2a2 README.md: `IMAGENET_PATH=  # the path that contains the /val and
    # /train image directories`, then `python scripts/evaluate.py ... --imagenet-path $IMAGENET_PATH`: an
    # environment variable the user is told to set. xinpingwang/tf-faster-rcnn@b70382b3 README.md sets
    # `GPU_ID=0` before `./experiments/scripts/test_faster_rcnn.sh $GPU_ID pascal_voc_0712 res101`: filled.
    # dalab/deep-ed's `-root_data_dir $DATA_PATH`, set nowhere in the docs, stays a placeholder.
    repo = write(tmp_path, {"evaluate.py": "import argparse\n", "test.sh": "python evaluate.py\n"})
    docs = "```\nIMAGENET_PATH=  # the path that contains the /val and /train image directories\n  GPU_ID=0\n```\n"
    needs = needs_of(repo, "python evaluate.py --imagenet-path $IMAGENET_PATH --other $DATA_PATH", docs=docs)
    [env] = [n for n in needs if n.kind == "env"]
    assert env.blocking and env.key == "IMAGENET_PATH" and "IMAGENET_PATH=" in env.detail
    assert [n.key for n in needs if n.kind == "placeholder" and n.blocking] == ["DATA_PATH"]
    [gpu_id] = [n for n in needs_of(repo, "bash test.sh $GPU_ID pascal_voc_0712", docs=docs) if n.key == "GPU_ID"]
    assert gpu_id.kind == "placeholder" and not gpu_id.blocking and "GPU_ID=0" in gpu_id.detail


def test_import_only_patterns_are_skipped_only_where_they_cannot_match():
    """check_simulators skips a pattern made only of an import (`_imports("pymunk")`,
    Obstacle-Avoid-Car's) on a file that never names its modules: the skip must never hide a match."""
    from scout.baseline.discover import runs

    patterns = [p for p, _, _ in runs._SIMULATORS] + [p for p, _ in runs._SYSTEM_IMPORTS]
    skipped = [p for p in patterns if runs._NEEDED.get(p, ())]
    assert len(skipped) >= 10 and not runs._NEEDED.get(patterns[0], ())  # MuJoCo also names tasks: scanned
    for pattern in skipped:
        for name in runs._NEEDED.get(pattern, ()):
            for text in (f"import {name}\n", f"x = 1\n  from {name}.sub import y\n"):
                assert pattern.search(text) and runs._may_match(pattern, text), (pattern.pattern, name)
        assert not runs._may_match(pattern, "import numpy as np\nfrom torch import nn\n")


def test_python_switches_bundled_before_m_start_the_module(tmp_path):
    # KatyNTsachi/Hierarchical-RL@c82dbacb (google/dopamine) README.md: `python -um
    # dopamine.discrete_domains.train --base_dir=/tmp/dopamine --gin_files=...`: `-um` is `-u -m`, so the
    # run is the repo's own module, whose atari_lib imports atari_py (Atari ROMs), not another project's.
    repo = write(
        tmp_path,
        {
            "dopamine/__init__.py": "",
            "dopamine/discrete_domains/__init__.py": "",
            "dopamine/discrete_domains/train.py": (
                "from absl import app\nfrom dopamine.discrete_domains import run_experiment\n"
            ),
            "dopamine/discrete_domains/run_experiment.py": "from dopamine.discrete_domains import atari_lib\n",
            "dopamine/discrete_domains/atari_lib.py": "import atari_py\nimport gym\n",
        },
    )
    command = "python -um dopamine.discrete_domains.train --base_dir=/tmp/dopamine --gin_files='dqn.gin'"
    assert [s.path for s in follow(command, repo)][0] == "dopamine/discrete_domains/train.py"
    needs = needs_of(repo, command, kind="train")
    assert "simulator" in kinds(needs) and "system" not in kinds(needs)


def test_a_shell_script_that_finds_its_own_folder(tmp_path):
    # mrnabati/RRPN@c9f4c291 experiments/3_test.sh: `CUR_DIR="$( cd "$( dirname "${BASH_SOURCE[0]}" )" >/dev/null
    # 2>&1 && pwd )"`, `ROOT_DIR="$(dirname "$CUR_DIR")"`, `MODEL_PKL="$ROOT_DIR/data/models/.../model_final.pkl"`,
    # `cd $ROOT_DIR/detectron`, `python tools/test_net.py ... TEST.WEIGHTS $MODEL_PKL`: the variables are
    # folders of the checkout, so the run is detectron/tools/test_net.py, loading weights only training
    # writes; $BASH_SOURCE is the shell's own, no variable to export.
    repo = write(
        tmp_path,
        {
            "experiments/3_test.sh": (
                'CUR_DIR="$( cd "$( dirname "${BASH_SOURCE[0]}" )" >/dev/null 2>&1 && pwd )"\n'
                'ROOT_DIR="$(dirname "$CUR_DIR")"\n'
                'MODEL_PKL="$ROOT_DIR/data/models/R_101_FPN_2x/model_final.pkl"\n'
                'MODEL_CFG="$ROOT_DIR/experiments/fast_rcnn.yaml"\n'
                "cd $ROOT_DIR/detectron\n"
                "python tools/test_net.py \\\n    --cfg $MODEL_CFG \\\n    TEST.WEIGHTS $MODEL_PKL\n"
            ),
            "experiments/fast_rcnn.yaml": "MODEL:\n  TYPE: generalized_rcnn\n",
            "detectron/tools/test_net.py": "import argparse\n",
            "data/models/README.md": "",
        },
    )
    paths = [s.path for s in follow("bash 3_test.sh", repo, "experiments")]
    assert "detectron/tools/test_net.py" in paths
    needs = needs_of(repo, "bash 3_test.sh", cwd="experiments")
    [ckpt] = [n for n in needs if n.kind == "checkpoint"]
    assert ckpt.blocking and "../data/models/R_101_FPN_2x/model_final.pkl" in ckpt.detail
    assert "env" not in kinds(needs)


def test_a_placeholder_spelled_path_to_with_hyphens(tmp_path):
    # harvardnlp/struct-attn@e91efaa6 README.md: `th train-entail.lua -attn struct -data_file path-to-train
    # -val_data_file path-to-val ... -pre_word_vecs path-to-word-vecs`: values left to the user.
    repo = write(tmp_path, {"train-entail.lua": "require 'nn'\n"})
    command = "th train-entail.lua -data_file path-to-train -pre_word_vecs path-to-word-vecs"
    needs = needs_of(repo, command, kind="train", which=lambda program: "/usr/bin/th")
    assert {n.key for n in needs if n.kind == "placeholder" and n.blocking} == {"data_file", "pre_word_vecs"}


def test_a_positional_word_spelled_as_the_checkpoint_it_stands_for(tmp_path):
    # Oushesh/CapsClassifigner@21a1fbce README.md: `python test.py outputs/checkpoints/ckpt_name dataset/`
    # ("The exact path and name of the checkpoint is print during the training"): `ckpt_name` is the
    # user's to fill, and what it names is trained weights. A mode word (`rename`) is no placeholder.
    repo = write(tmp_path, {"test.py": "import sys\nckpt, data = sys.argv[1], sys.argv[2]\n", "dataset/x.p": ""})
    needs = needs_of(repo, "python test.py outputs/checkpoints/ckpt_name dataset/")
    assert {"placeholder", "checkpoint"} <= kinds(needs)
    [placeholder] = [n for n in needs if n.kind == "placeholder"]
    assert placeholder.key == "outputs/checkpoints/ckpt_name"
    assert "placeholder" not in kinds(needs_of(repo, "python test.py rename dataset/"))


def test_a_path_the_docs_say_to_set_in_a_file_the_run_reads(tmp_path):
    # laycoding/renlianjiance@88775bce README.md § Evaluation: "Change the ‘self._devkit_path’ in
    # [`test/lib/datasets/pascal_voc.py`](https://github.com/...) to yours." The run (test/refinedet_test.py)
    # imports test/lib/datasets/factory.py, which imports pascal_voc.py beside it: a path left to the user,
    # written in a file instead of on the command line. A file the run never reads is no need of it.
    repo = write(
        tmp_path,
        {
            "test/refinedet_test.py": "import _init_paths\nfrom datasets.factory import get_imdb\n",
            "test/_init_paths.py": "import sys\nsys.path.insert(0, 'lib')\n",
            "test/lib/datasets/__init__.py": "",
            "test/lib/datasets/factory.py": "from datasets.pascal_voc import pascal_voc\n",
            "test/lib/datasets/pascal_voc.py": "class pascal_voc:\n    pass\n",
            "train.py": "import os\n",
        },
    )
    docs = (
        "2. Change the ‘self._devkit_path’ in [`test/lib/datasets/pascal_voc.py`](https://github.com/sfzhang15/"
        "RefineDet/blob/master/test/lib/datasets/pascal_voc.py) to yours.\n"
    )
    needs = needs_of(repo, "python test/refinedet_test.py", docs=docs)
    [placeholder] = [n for n in needs if n.kind == "placeholder"]
    assert placeholder.blocking and "test/lib/datasets/pascal_voc.py" in placeholder.detail
    # harryhan618/LaneNet README.md: "modify the path of `CULane_path` in `config.py`", for another script.
    other = needs_of(repo, "python test/refinedet_test.py", docs="Then modify the path of `data_root` in `train.py`.\n")
    assert "placeholder" not in kinds(other)


def test_a_framework_only_a_function_imports_is_advice(tmp_path):
    # AngusG/cleverhans-attacking-bnns@37c30df5 cleverhans/attacks.py imports its Theano back end only inside
    # a function (`if self.back == 'th': from .attacks_th import fgm`); cleverhans/attacks_th.py's
    # `import theano` loads only on that path, which the TensorFlow tutorial does not take.
    repo = write(
        tmp_path,
        {
            "cleverhans_tutorials/mnist_attack.py": "import tensorflow as tf\nfrom cleverhans.attacks import FGSM\n",
            "cleverhans/__init__.py": "",
            "cleverhans/attacks.py": (
                "import numpy as np\n\nclass FGSM:\n    def generate(self, x):\n"
                "        if self.back == 'th':\n            from .attacks_th import fgm\n"
            ),
            "cleverhans/attacks_th.py": "import numpy as np\nimport theano\nfrom theano import tensor as T\n",
        },
    )
    needs = needs_of(repo, "python mnist_attack.py", cwd="cleverhans_tutorials")
    [theano] = [n for n in needs if n.kind == "system"]
    assert not theano.blocking and "cleverhans/attacks_th.py" in theano.detail
    # Imported at the top of a module the run imports, it is needed.
    (repo / "cleverhans/attacks.py").write_text("import numpy as np\nfrom .attacks_th import fgm\n")
    assert "system" in kinds(needs_of(repo, "python mnist_attack.py", cwd="cleverhans_tutorials"))


def test_a_cython_module_compiled_on_import_and_a_vendored_extension(tmp_path):
    # dbolya/yolact@902073d4: layers/functions/detection.py calls `pyximport.install(...)` before
    # `from utils.cython_nms import nms`, so utils/cython_nms.pyx compiles when imported; external/DCNv2's
    # .cu (YOLACT++ only) is another project kept in the repo, which nothing the run imports reaches.
    repo = write(
        tmp_path,
        {
            "eval.py": "from utils import timer\nfrom layers.functions.detection import Detect\n",
            "utils/__init__.py": "",
            "utils/timer.py": "import time\n",
            "utils/cython_nms.pyx": "def nms(dets, thresh):\n    pass\n",
            "layers/__init__.py": "",
            "layers/functions/__init__.py": "",
            "layers/functions/detection.py": (
                "class Detect:\n    def traditional_nms(self):\n        import pyximport\n"
                "        pyximport.install(setup_args={'include_dirs': np.get_include()}, reload_support=True)\n"
                "        from utils.cython_nms import nms as cnms\n"
            ),
            "external/DCNv2/setup.py": "from setuptools import setup\n",
            "external/DCNv2/src/cuda/dcn_v2_cuda.cu": "// kernel\n",
        },
    )
    docs = "```\ncd external/DCNv2\npython setup.py build develop\n```\n"
    assert "system" not in kinds(needs_of(repo, "python eval.py --trained_model=weights/x.pth", docs=docs))
    # Without pyximport the .pyx must be built first.
    (repo / "layers/functions/detection.py").write_text("from utils.cython_nms import nms as cnms\n")
    assert "system" in kinds(needs_of(repo, "python eval.py --trained_model=weights/x.pth", docs=docs))


def test_tensorflow_versions_in_links_and_in_parentheses(tmp_path):
    # richardaecn/cvpr18-inaturalist-transfer@d59d5229 README.md: "+ Tensorflow (1.11)" declares TF 1.x (eval.py
    # uses tf.contrib.slim: advice, installing what it declares); slim/README.md's link
    # `https://www.tensorflow.org/versions/r0.10/api_docs/...` names old docs, not a TensorFlow 0.10 pin.
    repo = write(tmp_path, {"eval.py": "import tensorflow as tf\nslim = tf.contrib.slim\n"})
    link = "[TFRecord](https://www.tensorflow.org/versions/r0.10/api_docs/python/python_io.html#tfrecords-format)\n"
    needs = needs_of(repo, "python eval.py", docs=f"## Requirements\n+ Tensorflow (1.11)\n\n{link}")
    [system] = [n for n in needs if n.kind == "system"]
    assert not system.blocking and "1.11" in system.detail


def test_weights_a_run_saves_before_it_loads_them_and_a_cuda_method(tmp_path):
    # bayer-science-for-a-better-life/phc-gnn@3dd0a004 benchmarks/train_hiv.py: `save_dir = os.path.join(args.save_dir,
    # f"run_{i}")`, `model_save_dir = os.path.join(save_dir, "model.pt")`, `torch.save(model, model_save_dir)`
    # in its epochs, then `model = torch.load(model_save_dir)` to test: train, then test, no weights to bring.
    # phc/quaternion/algebra.py's `def cuda(self, device=None, ...)` moves a tensor when a caller asks.
    repo = write(
        tmp_path,
        {
            "train_hiv.py": (
                "import argparse\nimport torch\nfrom algebra import QTensor\n"
                "parser = argparse.ArgumentParser()\n"
                "parser.add_argument('--save_dir', action='store', dest='save_dir', default='hiv', type=str)\n"
                "args = parser.parse_args()\n\ndef do_run(i, model):\n"
                "    save_dir = os.path.join(args.save_dir, f'run_{i}')\n"
                "    model_save_dir = os.path.join(save_dir, 'model.pt')\n"
                "    for epoch in range(10):\n        torch.save(model, model_save_dir)\n"
                "    model = torch.load(model_save_dir)\n"
            ),
            "algebra.py": (
                "import torch\n\nclass QTensor:\n    def cuda(self, device=None, non_blocking=False):\n"
                '        r"""Move the quaternion tensor to a CUDA device."""\n'
                "        r = self.__r.cuda(device=device, non_blocking=non_blocking)\n        return r\n"
            ),
        },
    )
    needs = needs_of(repo, "python train_hiv.py --save_dir experiment1 --epochs 50", kind="train")
    assert not {"checkpoint", "gpu"} & kinds(needs)
    # A script that loads what it never saved needs the weights; a module-level .cuda() needs a GPU.
    (repo / "test.py").write_text(
        "import torch\nparser.add_argument('--save_dir', default='hiv')\n"
        "save_dir = os.path.join(args.save_dir, 'run')\n"
        "model = torch.load(os.path.join(save_dir, 'model.pt'))\nx = torch.zeros(3).cuda()\n"
    )
    assert {"checkpoint", "gpu"} <= kinds(needs_of(repo, "python test.py --save_dir experiment1"))


def test_a_data_folder_the_run_lists_is_in_the_checkout(tmp_path):
    # sdauzcm/SR-pytorch-SRResNet@d715729c eval.py: `image_list = glob.glob("./testsets/" + opt.dataset + "/*.*")`, and
    # the checkout ships testsets/Set5 and testsets/Set14; the README's link to the training data
    # (train_data.zip) is not what this evaluation reads.
    repo = write(
        tmp_path,
        {
            "eval.py": (
                "import glob\nparser.add_argument('--dataset', default='Set5', type=str)\n"
                'image_list = glob.glob("./testsets/" + opt.dataset + "/*.*")\n'
                "for image_name in image_list:\n    im_gt_y = sio.loadmat(image_name)['im_gt_y']\n"
            ),
            "testsets/Set5/bird_GT.mat": "x",
        },
    )
    docs = "Download the [training data](http://cv.snu.ac.kr/research/VDSR/train_data.zip) dataset.\n"
    assert "dataset" not in kinds(needs_of(repo, "python eval.py --dataset Set5", docs=docs))
    (repo / "testsets/Set5/bird_GT.mat").unlink()
    assert "dataset" in kinds(needs_of(repo, "python eval.py --dataset Set5", docs=docs))


def test_a_weights_flag_no_code_reads_is_no_need(tmp_path):
    # wzzheng/HDML@fa03ef0e FLAGS.py: `tf.flags.DEFINE_string('checkpoint_path', './formerTrain/', 'Directory to restore
    # and save checkpoints')`, which nothing reads (main_npair.py restores from log_save_path, only
    # `if FLAGS.load_formalVal:`). Once the code reads it, a missing default is the weights it loads.
    flags = (
        "import tensorflow as tf\n"
        "tf.flags.DEFINE_string('checkpoint_path', './formerTrain/', 'Directory to restore and save checkpoints')\n"
        "FLAGS = tf.app.flags.FLAGS\n"
    )
    repo = write(tmp_path, {"FLAGS.py": flags, "main_npair.py": "from FLAGS import *\nprint(FLAGS.batch_size)\n"})
    assert "checkpoint" not in kinds(needs_of(repo, "python main_npair.py --dataSet=cars196"))
    (repo / "main_npair.py").write_text("from FLAGS import *\nsaver.restore(sess, FLAGS.checkpoint_path)\n")
    assert "checkpoint" in kinds(needs_of(repo, "python main_npair.py --dataSet=cars196"))
