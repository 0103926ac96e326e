"""Does `scout baseline --plan` pick what a careful researcher picks? A corpus of real public
research repos, each with the evaluation command read by hand from its README (or null when the
repo has no runnable evaluation), and the metric that command prints.

    python bench/repos.py CORPUS_DIR        # CORPUS_DIR/<owner>+<name>: checkouts of the repos

Make the checkouts with the search tool's `fetch` (github:owner/name) and
/work/shared/tools/worktree-from-mirror MIRROR CORPUS_DIR/owner+name. Only the names and the
by-hand commands live here, never the repos' code. Prints repo | by hand | scout | verdict and the
share right (target: 90%)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# (repo, shape, by-hand commands (any of them is right; None: no runnable evaluation), metric printed)
CORPUS: list[tuple[str, str, tuple[str, ...] | None, str]] = [
    ("karpathy/makemore", "single script", ("python makemore.py -i names.txt -o names",), "test loss"),
    ("karpathy/ng-video-lecture", "single script", ("python gpt.py", "python bigram.py"), "val loss"),
    ("karpathy/nanoGPT", "README-driven", ("python train.py config/eval_gpt2.py",), "val loss"),
    ("kuangliu/pytorch-cifar", "single script", ("python main.py",), "Acc (progress bar)"),
    ("tysam-code/hlb-CIFAR10", "single script", ("python main.py",), "val_acc table"),
    ("KellerJordan/cifar10-airbench", "README-driven", ("python airbench94_muon.py",), "tta_val_acc, Mean:"),
    ("davidcpage/cifar10-fast", "notebooks + script", ("python dawn.py",), "test acc"),
    (
        "facebookresearch/deit",
        "README variants, argparse --eval",
        (
            "python main.py --eval --resume https://dl.fbaipublicfiles.com/deit/deit_base_patch16_224-b5f2ef4d.pth "
            "--data-path /path/to/imagenet",
        ),
        "Acc@1",
    ),
    (
        "facebookresearch/detr",
        "argparse --eval",
        (
            "python main.py --batch_size 2 --no_aux_loss --eval --resume "
            "https://dl.fbaipublicfiles.com/detr/detr-r50-e632da11.pth --coco_path /path/to/coco",
        ),
        "COCO AP",
    ),
    (
        "facebookresearch/dino",
        "torch.distributed",
        ("python -m torch.distributed.launch --nproc_per_node=1 eval_knn.py --data_path /path/to/imagenet",),
        "20-NN Top1",
    ),
    (
        "facebookresearch/dinov2",
        "package scripts",
        (
            "python dinov2/run/eval/knn.py --config-file <PATH/TO/OUTPUT/DIR>/config.yaml --pretrained-weights "
            "<PATH/TO/OUTPUT/DIR>/eval/training_24999/teacher_checkpoint.pth --output-dir "
            "<PATH/TO/OUTPUT/DIR>/eval/training_24999/knn --train-dataset "
            "ImageNet:split=TRAIN:root=<PATH/TO/DATASET>:extra=<PATH/TO/DATASET> --val-dataset "
            "ImageNet:split=VAL:root=<PATH/TO/DATASET>:extra=<PATH/TO/DATASET>",
        ),
        "k-NN top-1",
    ),
    (
        "facebookresearch/mae",
        "linked docs (FINETUNE.md)",
        (
            "python main_finetune.py --eval --resume mae_finetuned_vit_base.pth --model vit_base_patch16 "
            "--batch_size 16 --data_path ${IMAGENET_DIR}",
        ),
        "Acc@1",
    ),
    (
        "facebookresearch/ConvNeXt",
        "argparse --eval true",
        (
            "python main.py --model convnext_base --eval true --resume "
            "https://dl.fbaipublicfiles.com/convnext/convnext_base_22k_1k_224.pth --input_size 224 --drop_path 0.2 "
            "--data_path /path/to/imagenet-1k",
        ),
        "Acc@1",
    ),
    (
        "facebookresearch/barlowtwins",
        "eval script",
        ("python evaluate.py /path/to/imagenet/ /path/to/checkpoint/resnet50.pth --lr-classifier 0.3",),
        "acc1",
    ),
    (
        "facebookresearch/swav",
        "torch.distributed",
        (
            "python -m torch.distributed.launch --nproc_per_node=8 eval_linear.py --data_path /path/to/imagenet "
            "--pretrained /path/to/checkpoints/swav_800ep_pretrain.pth.tar",
        ),
        "Test Acc@1",
    ),
    (
        "google-research/bert",
        "--do_eval flags",
        (
            "python run_classifier.py --task_name=MRPC --do_train=true --do_eval=true --data_dir=$GLUE_DIR/MRPC "
            "--vocab_file=$BERT_BASE_DIR/vocab.txt --bert_config_file=$BERT_BASE_DIR/bert_config.json "
            "--init_checkpoint=$BERT_BASE_DIR/bert_model.ckpt --max_seq_length=128 --train_batch_size=32 "
            "--learning_rate=2e-5 --num_train_epochs=3.0 --output_dir=/tmp/mrpc_output/",
        ),
        "eval_accuracy",
    ),
    (
        "google-research/vision_transformer",
        "python -m package.module",
        (
            "python -m vit_jax.main --workdir=/tmp/vit-$(date +%s) --config=$(pwd)/vit_jax/configs/vit.py:b16,cifar10 "
            "--config.pretrained_dir='gs://vit_models/imagenet21k'",
        ),
        "accuracy",
    ),
    (
        "huggingface/pytorch-image-models",
        "library with validate.py",
        (
            "python validate.py /imagenet --amp -j 8 --model vit_base_patch16_224 --model-kwargs use_naflex=True "
            "--naflex-loader --naflex-max-seq-len 256",
        ),
        "top1",
    ),
    (
        "huyvnphan/PyTorch_CIFAR10",
        "train.py with a test flag",
        ("python train.py --test_phase 1 --pretrained 1 --classifier resnet18",),
        "acc/test",
    ),
    (
        "jeonsworld/ViT-pytorch",
        "train script only",
        (
            "python3 train.py --name cifar10-100_500 --dataset cifar10 --model_type ViT-B_16 "
            "--pretrained_dir checkpoint/ViT-B_16.npz",
        ),
        "Valid Accuracy",
    ),
    ("leftthomas/SimCLR", "linear evaluation script", ("python linear.py --batch_size 1024 --epochs 200",), "Acc@1"),
    ("sthalles/SimCLR", "train script, eval in a notebook", ("python run.py",), "Top1 accuracy"),
    (
        "WongKinYiu/yolov7",
        "test.py",
        (
            "python test.py --data data/coco.yaml --img 640 --batch 32 --conf 0.001 --iou 0.65 --device 0 "
            "--weights yolov7.pt --name yolov7_640_val",
        ),
        "COCO AP",
    ),
    (
        "ultralytics/yolov5",
        "val.py beside detect/segment",
        ("python val.py --data coco.yaml --img 640 --conf 0.001 --iou 0.65",),
        "mAP50-95",
    ),
    ("ultralytics/yolov3", "val.py", ("python val.py --weights yolov3.pt --data coco.yaml",), "mAP50-95"),
    (
        "ashleve/lightning-hydra-template",
        "Hydra",
        ('python src/eval.py ckpt_path="/path/to/ckpt/name.ckpt"',),
        "test/acc",
    ),
    ("akamaster/pytorch_resnet_cifar10", "shell script", ("chmod +x run.sh && ./run.sh",), "Prec@1"),
    ("pytorch/examples", "monorepo", None, "-"),
    ("yunjey/pytorch-tutorial", "monorepo", None, "-"),
    ("lucidrains/vit-pytorch", "library", None, "-"),
    ("lucidrains/denoising-diffusion-pytorch", "library", None, "-"),
    ("openai/CLIP", "library + notebooks", None, "-"),
    ("karpathy/micrograd", "library + notebook", None, "-"),
    ("karpathy/minGPT", "library + notebooks", None, "-"),
]


def _norm(command: str | None) -> str | None:
    return re.sub(r"\s+", " ", command).strip() if command else None


def plan(repo_dir: Path, cache: Path) -> dict:
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("scout")),
            "baseline",
            "--repo",
            str(repo_dir),
            "--plan",
            "--json",
            "--cache-dir",
            str(cache),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SCOUT_OFFLINE": "1"},
    )
    if out.returncode != 0:
        return {"command": None, "error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout)["plans"][0]


def main(corpus_dir: str) -> int:
    root = Path(corpus_dir)
    right = total = 0
    with tempfile.TemporaryDirectory() as cache:
        for name, shape, by_hand, metric in CORPUS:
            repo_dir = root / name.replace("/", "+")
            if not repo_dir.is_dir():
                print(f"{name} | (no checkout in {root}) | - | skipped")
                continue
            chosen = plan(repo_dir, Path(cache)).get("command")
            ok = (chosen is None) if by_hand is None else _norm(chosen) in {_norm(c) for c in by_hand}
            total += 1
            right += ok
            hand = "null" if by_hand is None else by_hand[0]
            print(f"{name} [{shape}] | {hand} | {chosen} | {'right' if ok else 'WRONG'}")
    if total:
        print(f"\n{right}/{total} right ({100 * right / total:.0f}%); target 90%")
    return 0 if total and right / total >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "corpus"))
