"""Which number the docs claim, on doc shapes from the labeled corpus's dev repos (each fixture is a
trimmed copy of the README lines that decided the label; the repo and commit are named)."""

from __future__ import annotations

from types import SimpleNamespace

from scout.baseline.measure.assess import assess
from scout.baseline.measure.claims import naming_bonus, readme_claims, results_as_image, words_of
from scout.baseline.measure.headline import rank_for_command
from scout.baseline.measure.logmetrics import read_output


def doc(text: str, path: str = "README.md"):
    return SimpleNamespace(path=path, text=text)


def top(claims):
    return (claims[0].metric, claims[0].value)


# zengzhaoyang/Weak_Detection @ bf55065b8f8d964332459be2ee8430847524cf4e (Deformable-ConvNets' README)
DCN = """\
# Deformable Convolutional Networks

## Main Results

|                                 | training data     | testing data | mAP@0.5 | mAP@0.7 | time   |
|---------------------------------|-------------------|--------------|---------|---------|--------|
| R-FCN, ResNet-v1-101            | VOC 07+12 trainval| VOC 07 test  | 79.6    | 63.1    | 0.16s |
| Deformable R-FCN, ResNet-v1-101 | VOC 07+12 trainval| VOC 07 test  | 82.3    | 67.8    | 0.19s |

|    | <sub>training data</sub> | <sub>testing data</sub>  | <sub>mAP</sub>  | <sub>mAP@0.5</sub> |
|---------------------------------|---------------|---------------|------|---------|
| <sub>R-FCN, ResNet-v1-101 </sub>           | <sub>coco trainval</sub> | <sub>coco test-dev</sub> | 32.1 | 54.3    |
| <sub>Deformable R-FCN, ResNet-v1-101</sub> | <sub>coco trainval</sub> | <sub>coco test-dev</sub> | 35.7 | 56.8    |
"""
DCN_COMMAND = (
    r"python experiments\rfcn\rfcn_end2end_train_test.py "
    r"--cfg experiments\rfcn\cfgs\resnet_v1_101_coco_trainval_rfcn_dcn_end2end_ohem.yaml"
)


def test_the_row_the_title_names_is_the_papers_own_over_the_baseline_listed_first():
    claims = readme_claims([doc(DCN)])
    assert top(claims) == ("map50", 0.823)  # Deformable R-FCN, not the R-FCN baseline above it


def test_the_word_of_the_command_that_tells_rows_apart_selects_the_row():
    # Every row says "ResNet-v1-101" and "trainval": only the config's "coco" tells the tables apart.
    assert top(rank_for_command(readme_claims([doc(DCN)]), DCN_COMMAND)) == ("map", 0.357)


def test_words_join_hyphenated_names_and_shared_words_weigh_nothing():
    assert {"rfcn", "fcn", "resnetv1101"} <= words_of("R-FCN, ResNet-v1-101")
    claims = readme_claims([doc(DCN)])
    assert set(naming_bonus(claims, {"resnet"}, 1.5, 3.0)) == {0.0}
    coco = naming_bonus(claims, {"coco"}, 1.5, 3.0)
    # 2 of the 4 distinct rows say coco: (4 - 2) / (4 - 1) of 1.5
    assert {round(b, 3) for b, c in zip(coco, claims) if "coco" in c.context} == {1.0}
    assert {b for b, c in zip(coco, claims) if "coco" not in c.context} == {0.0}


# SNUDerek/multiLSTM @ 99aa5b3a2412d7791bc802a389aa71b32b852c5b
MULTILSTM = """\
## results

our intent accuracy is **96.3%**, which beats out Goo *et al.* 2018's reported score of 94.1%.

our slot F1 score of 93.71 using the phrase-based `conlleval` approach, substantially lower than their 95.2.

```
# TRAIN RESULTS

INTENT F1 :   0.9958062755602081  (weighted)
INTENT ACC:   0.9966502903081733

# TEST RESULTS

INTENT F1 :   0.9573853410886499  (weighted)
INTENT ACC:   0.9630459126539753
CONLLEVAL :   93.71
```
"""


def test_a_bold_number_in_prose_is_the_one_the_authors_highlight():
    assert top(readme_claims([doc(MULTILSTM)])) == ("accuracy", 0.963)


def test_pasted_output_lines_take_the_split_of_the_block_heading_above_them():
    claims = {(c.metric, round(c.value, 4)) for c in readme_claims([doc(MULTILSTM)]) if c.source.endswith("(output)")}
    assert ("train_f1", 0.9958) in claims and ("test_f1", 0.9574) in claims
    assert ("test_accuracy", 0.963) in claims and ("train_accuracy", 0.9967) in claims


# zonetrooper32/VDCNN @ 502cebe5f9702543ad630468f4837eac73d6f0d4
VDCNN = """\
## Experiments
Results are reported as follows:  (i) / (ii)
 - (i): Test set accuracy reported by the paper (acc = 100% - error_rate)
 - (ii): Test set accuracy reproduced by this Keras implementation

TODO: Feel free to report your own experimental results in the following format:

Results for "Identity" Shortcut, "k-max" Pooling:
|      Depth      |      ag_news      |      DBPedia      |     Sogou News    |
|:---------------:|:-----------------:|:-----------------:|:-----------------:|
|     9 layers    |  90.17 / xx.xxxx  |  98.44 / xx.xxxx  |  96.42 / xx.xxxx  |
|    17 layers    |  90.61 / xx.xxxx  |  98.39 / xx.xxxx  |  96.49 / xx.xxxx  |
|    49 layers    |  xx.xx / xx.xxxx  |  xx.xx / xx.xxxx  |  xx.xx / xx.xxxx  |
"""


def test_columns_named_by_dataset_take_the_metric_the_section_explains():
    claims = readme_claims([doc(VDCNN)])
    assert (claims[0].metric, claims[0].value, claims[0].dataset) == ("test_accuracy", 0.9017, "ag_news")
    assert len(claims) == 6  # "xx.xx" is a slot nobody filled, not a number


def test_a_section_naming_no_metric_claims_nothing_from_a_dataset_table():
    unexplained = "\n".join(line for line in VDCNN.splitlines() if "(i" not in line)
    assert readme_claims([doc(unexplained)]) == []


# adammenges/DARTS-PyTorch @ eaa6510fecad8c51a2534a20b50a2f4040945fc2
DARTS = """\
## Pretrained models
* Expected result: 2.63% test error rate with 3.3M model params.

## Architecture evaluation (using full-sized models)
By training our best cell from scratch, one should expect the average test error of 10 independent runs to \
fall in the range of 2.76 +/- 0.09% with high probability.
"""


def test_a_number_that_counts_runs_is_not_a_claim():
    assert [(c.metric, c.value) for c in readme_claims([doc(DARTS)])] == [("test_error", 0.0263)]


# jiesutd/NCRFpp @ 105a53a321eca9c1280037c473967858e01aaa43: `python main.py --config demo.train.config`
# on the shipped sample_data, one epoch on CPU (it found no entity yet, so p and f print as -1).
NCRF_OUTPUT = """\
     Instance: 484; Time: 81.41s; loss: 6023.3869; acc: 5374/6640=0.8093
Epoch: 0 training finished. Time: 81.41s, speed: 5.95st/s,  total loss: 6023.38688659668
Dev: time: 6.23s, speed: 18.02st/s; acc: 0.8011, p: -1.0000, r: 0.0000, f: -1.0000
Test: time: 11.22s, speed: 16.62st/s; acc: 0.8712, p: -1.0000, r: 0.0000, f: -1.0000
"""


def test_a_count_followed_by_its_ratio_is_read_whole():
    assert read_output("Right token: 1168; acc: 5374/6640=0.8093").metrics["accuracy"].value == 0.8093  # not 5374/664
    reading = read_output(NCRF_OUTPUT)
    # "Instance: 484; ..." is the training loop's progress line: its unqualified acc is no report
    assert "accuracy" not in reading.metrics and reading.conflicts == ()
    assert reading.metrics["test_accuracy"].value == 0.8712 and reading.metrics["val_accuracy"].value == 0.8011


def test_a_claimed_metric_printed_out_of_range_is_named_not_called_missing():
    claims = readme_claims([doc("## Performance\nF1 = 91.35% on CoNLL 2003 NER with our model.\n")])
    found = assess(read_output(NCRF_OUTPUT), claims)
    assert found.headline is None and found.claim["name"] == "f1"
    assert found.note.startswith("the output's test_f1 is out of range")
    assert any(flag.startswith("out of range: test_f1") for flag in found.flags)


# linxi159/FCN-caffe @ 1305c7378a9f0ab44b2c936f4d60e4687e3d8743: `python infer.py` has no flags; the
# script loads voc-fcn8s/ in its code.
FCN = """\
# Fully Convolutional Networks for Semantic Segmentation

* [FCN-32s PASCAL](voc-fcn32s): single stream, 32 pixel prediction stride net, scoring 63.6 mIU on seg11valid
* [FCN-16s PASCAL](voc-fcn16s): two stream, 16 pixel prediction stride net, scoring 65.0 mIU on seg11valid
* [FCN-8s PASCAL](voc-fcn8s): three stream, 8 pixel prediction stride net, scoring 65.5 mIU on seg11valid
"""
FCN_INFER = "net = caffe.Net('voc-fcn8s/deploy.prototxt', 'voc-fcn8s/fcn8s-heavy-pascal.caffemodel', caffe.TEST)\n"


def test_a_command_without_flags_runs_what_its_script_names(tmp_path):
    claims = readme_claims([doc(FCN)])
    assert top(rank_for_command(claims, "python infer.py", "FCN-caffe")) == ("miou", 0.636)  # the first line
    (tmp_path / "infer.py").write_text(FCN_INFER, encoding="utf-8")
    assert top(rank_for_command(claims, "python infer.py", "FCN-caffe", tmp_path)) == ("miou", 0.655)
    # a script outside the checkout is not read
    (tmp_path / "repo").mkdir()
    assert top(rank_for_command(claims, "python ../infer.py", "FCN-caffe", tmp_path / "repo")) == ("miou", 0.636)
    # the command's own words, when they select a row, win over what the script names
    assert top(rank_for_command(claims, "python infer.py --model fcn16s", "FCN-caffe", tmp_path)) == ("miou", 0.65)


# xinntao/ESRGAN @ 57e4d15c4368613a9ec2bda87bac3cb8aaf61033: columns named by dataset under a paragraph
# that names PSNR; "291" is the training set (the 291-image set), and each cell packs PSNR/SSIM.
ESRGAN = """\
The **RRDB_PSNR** PSNR_oriented model trained with DF2K dataset is also able to achive high PSNR performance.

| <sub>Method</sub> | <sub>Training dataset</sub> | <sub>Set5</sub> | <sub>Set14</sub> |
|:---:|:---:|:---:|:---:|
| <sub>[SRCNN](http://x.org/SRCNN.html)</sub>| <sub>291</sub>| <sub>30.48/0.8628</sub> |<sub>27.50/0.7513</sub>|
|<sub>RRDB(ours)</sub>| <sub>DF2K</sub>| <sub>**32.73/0.9011**</sub> |<sub>**28.99/0.7917**</sub> |
"""


def test_a_column_that_describes_the_run_claims_nothing_and_packed_cells_need_named_parts():
    assert readme_claims([doc(ESRGAN)]) == []
    named = ESRGAN.replace("<sub>Set5</sub>", "<sub>PSNR/SSIM</sub>")
    assert [(c.metric, c.value, c.context) for c in readme_claims([doc(named)])][:2] == [
        ("psnr", 32.73, "RRDB(ours) DF2K"),  # bold, the authors' own row
        ("ssim", 0.9011, "RRDB(ours) DF2K"),
    ]


# The shapes below are written for these tests (no dev repo has them); each is a common way research
# READMEs lay out results.
HTML_RESULTS = """\
## Results

<table>
  <thead>
    <tr><th rowspan="2">Model</th><th colspan="2">CIFAR-10</th><th colspan="2">CIFAR-100</th></tr>
    <tr><th>Top-1 (%)</th><th>Params</th><th>Top-1 (%)</th><th>Params</th></tr>
  </thead>

  <tr><td>ResNet-56</td><td>93.03</td><td>0.85M</td><td>71.32</td><td>0.86M</td></tr>
  <tr><td>Ours-56</td><td><b>94.12</b><sup>†</sup></td><td>0.85M</td><td><b>73.40</b></td><td>0.86M</td></tr>
</table>
"""


def test_an_html_table_with_spanned_headers_gives_dataset_and_metric_per_column():
    claims = readme_claims([doc(HTML_RESULTS)])
    assert {(c.metric, c.value, c.dataset) for c in claims} == {
        ("top1", 0.9303, "CIFAR-10"),
        ("top1", 0.9412, "CIFAR-10"),
        ("top1", 0.7132, "CIFAR-100"),
        ("top1", 0.734, "CIFAR-100"),
    }
    assert (claims[0].value, claims[0].label) == (0.9412, "CIFAR-10 Top-1 (%)")  # bold, footnote mark dropped
    # the command's dataset selects its column
    assert top(rank_for_command(claims, "python test.py --dataset cifar100 --arch ours56")) == ("top1", 0.734)


MARKDOWN_TWO_ROW_HEADER = """\
## Results

| Method | ImageNet | | COCO | |
|---|---|---|---|---|
| | Top-1 | Top-5 | box AP | mask AP |
| Baseline | 76.1 | 92.9 | 38.0 | 34.6 |
| Ours | 77.5 | 93.6 | 40.1 | 36.0 |
"""


def test_a_markdown_second_header_row_and_empty_group_cells_name_each_column():
    claims = readme_claims([doc(MARKDOWN_TWO_ROW_HEADER)])
    labels = {(c.label, c.metric, c.value) for c in claims}
    assert ("ImageNet Top-1", "top1", 0.761) in labels and ("ImageNet Top-5", "top5", 0.929) in labels
    assert ("COCO box AP", "map", 0.38) in labels and ("COCO mask AP", "mask_map", 0.346) in labels
    assert top(claims) == ("top1", 0.775)  # the authors' own row, first metric column


METRICS_AS_ROWS = """\
## Evaluation

| Metric | Val | Test |
|---|---|---|
| Accuracy | 91.2% | **90.4%** |
| F1 | 0.88 | 0.87 |
"""


def test_a_table_whose_rows_are_metrics_takes_the_split_from_its_column():
    claims = readme_claims([doc(METRICS_AS_ROWS)])
    assert {(c.metric, c.value) for c in claims} == {
        ("val_accuracy", 0.912),
        ("test_accuracy", 0.904),
        ("val_f1", 0.88),
        ("test_f1", 0.87),
    }
    assert top(claims) == ("test_accuracy", 0.904)


def test_packed_cells_split_when_the_header_names_each_part_and_code_blocks_hold_no_table():
    packed = "## Results\n\n| Model | Top-1 / Top-5 |\n|---|---|\n| ResNet-50 | 76.1 / 92.9 |\n"
    assert {(c.metric, c.value) for c in readme_claims([doc(packed)])} == {("top1", 0.761), ("top5", 0.929)}
    fenced = "## Results\n\n```\n| Model | Top-1 |\n|---|---|\n| ResNet-50 | 76.1 |\n```\n"
    assert readme_claims([doc(fenced)]) == []


# h4veFunCodin9/Aligned_ReID @ 57806de05afa8b9269695c798276926a73b76fd5: the README's table, and the line
# aligned_reid/dataset/TestSet.py prints ('[mAP: {:5.2%}], [cmc1: {:5.2%}], ...' filled with its numbers).
ALIGNED_REID = """\
|   | Rank-1 (%) | mAP (%) | Rank-1 (%) after Re-ranking | mAP (%) after Re-ranking |
| --- | :---: | :---: | :---: | :---: |
| Triplet Loss | 87.05 | 71.38 | 89.85 | 85.49 |
"""


def test_rank1_as_reid_papers_write_it_matches_what_reid_code_prints():
    claims = readme_claims([doc(ALIGNED_REID)])
    assert top(claims) == ("rank1", 0.8705)
    found = assess(read_output("[mAP: 71.38%], [cmc1: 87.05%], [cmc5: 94.30%], [cmc10: 96.20%]"), claims)
    assert (found.headline["name"], found.headline["value"]) == ("rank1", 0.8705)
    # "Rank@1" and a "top1" line are the same number too
    at = readme_claims([doc(ALIGNED_REID.replace("Rank-1 (%)", "Rank@1"))])
    assert top(at) == ("rank1", 0.8705)
    assert assess(read_output("top1: 0.8705 mAP: 0.7138"), at).headline["name"] == "top1"


def test_conlleval_fb1_is_f1():
    line = "accuracy:  98.01%; precision:  91.52%; recall:  91.18%; FB1:  91.35"
    assert read_output(line).metrics["f1"].value == 0.9135


# tianzhi0549/FCOS @ 3589fa682eeaffac5aa2ae18e2306f10a0763344, with the model column cut to its backbone
# (as model zoos often print it): only the download link tells the two R-50 rows apart.
FCOS_ZOO = """\
Backbone | Multi-scale training | Testing time / im | AP (minival) | Link
--- |:---:|:---:|:---:|:---:
R-50 | No | 44ms | 38.7 | [download](https://huggingface.co/tianzhi/FCOS/resolve/main/FCOS_imprv_R_50_FPN_1x.pth?download=true)
R-50 | No | 54ms | 42.3 | [download](https://huggingface.co/tianzhi/FCOS/resolve/main/FCOS_imprv_dcnv2_R_50_FPN_1x.pth?download=true)
"""


def test_the_checkpoint_a_row_links_to_names_the_row():
    claims = readme_claims([doc(FCOS_ZOO)])
    assert top(claims) == ("map", 0.387)
    command = "python tools/test_net.py --config-file configs/fcos/fcos_imprv_dcnv2_R_50_FPN_1x.yaml"
    assert top(rank_for_command(claims, command)) == ("map", 0.423)


def test_the_section_a_claim_sits_in_names_what_it_is_for():
    table = "| Model | mAP |\n|---|---|\n| Ours | {} |\n"
    text = "## Market-1501\n\n" + table.format(70.7) + "\n## DukeMTMC\n\n" + table.format(60.1)
    assert top(rank_for_command(readme_claims([doc(text)]), "python test.py --dataset dukemtmc")) == ("map", 0.601)


def test_the_row_the_authors_call_their_own_wins_over_the_baseline_listed_first():
    text = "## Results\n\n| Method | Top-1 |\n|---|---|\n| ResNet-50 | 76.1 |\n| SE-ResNet-50 (ours) | 77.6 |\n"
    assert top(readme_claims([doc(text)])) == ("top1", 0.776)


# yaq007/Autofocus-Layer @ f676f032d06c8b0dfec832c4625c5111af0da9ce: the results table is a PNG.
AUTOFOCUS = """\
## Performance

The performance reported here is an average over three runs on the 54 images from BRATS 2015 dataset.
<img src="./src/performance.png" width="900"/>
Table 1: Dice scores shown in format mean (standard deviation).
"""


def test_results_shown_only_as_an_image_claim_nothing_and_the_run_says_so():
    docs = [doc(AUTOFOCUS)]
    assert readme_claims(docs) == [] and results_as_image(docs) == "README.md § Performance"
    found = assess(read_output("dice: 0.87"), [], image_results=results_as_image(docs))
    assert found.claim is None and "only as an image (README.md § Performance)" in found.note
    assert results_as_image([doc("## Installation\n\n![logo](logo.png)\n")]) is None


# xinpingwang/tf-faster-rcnn @ 77341322bccb74e0827661faa043bb4a4ad51dc3: the numbers name no metric;
# VOC and COCO are scored by mAP.
TF_FASTER_RCNN = """\
### Detection Performance
With VGG16 (``conv5_3``):
  - Train on VOC 2007 trainval and test on VOC 2007 test, **70.8**.
  - Train on COCO 2014 [trainval35k](https://github.com/rbgirshick/py-faster-rcnn/tree/master/models) and test on \
[minival](https://github.com/rbgirshick/py-faster-rcnn/tree/master/models) (*Iterations*: 900k/1190k), **30.2**.
"""


def test_a_number_given_for_a_benchmark_takes_the_metric_the_benchmark_is_scored_by():
    claims = readme_claims([doc(TF_FASTER_RCNN)])
    assert {(c.metric, c.value, c.dataset) for c in claims} == {("map", 0.708, "VOC 2007"), ("map", 0.302, "COCO")}
    # a link's URL is no word of the row ("py-faster-rcnn" is another repo, not this one's title)
    assert all("github" not in c.context for c in claims)
    assert readme_claims([doc("We train for 90 epochs on ImageNet with batch size **256**.\n")]) == []
    assert top(readme_claims([doc("Our model achieves 76.1% on ImageNet.\n")])) == ("top1", 0.761)
    for margin in (
        "For COCO you can almost always get a very close number (within ~0.2%).",
        "We gain by 1.2% on COCO.",
    ):
        assert readme_claims([doc(margin + "\n")]) == [], margin


def test_columns_of_models_under_a_caption_take_the_dataset_from_the_row():
    text = (
        "## Results\n\nTest accuracy (%):\n\n| Dataset | Baseline | Ours |\n|---|---|---|\n| CIFAR-10 | 92.1 | 93.2 |\n"
    )
    claims = readme_claims([doc(text)])
    assert (claims[0].metric, claims[0].value, claims[0].dataset) == ("test_accuracy", 0.932, "CIFAR-10")
    assert top(rank_for_command(claims, "python eval.py --model baseline")) == ("test_accuracy", 0.921)


def test_a_list_takes_its_lead_in_and_a_command_names_a_backbone_by_its_short_name():
    # xinpingwang/tf-faster-rcnn's list shape: the backbone is named only in the line above each list.
    text = (
        "### Detection Performance\nWith VGG16 (``conv5_3``):\n"
        "  - Train on VOC 2007 trainval and test on VOC 2007 test, **70.8**.\n"
        "With Resnet101 (last ``conv4``):\n"
        "  - Train on VOC 2007 trainval and test on VOC 2007 test, **75.7**.\n"
    )
    claims = readme_claims([doc(text)])
    assert claims[1].context.endswith("(With Resnet101 (last conv4):)")
    command = "bash experiments/scripts/test_faster_rcnn.sh $GPU_ID pascal_voc_0712 res101"
    assert top(rank_for_command(claims, command)) == ("map", 0.757)
    assert not naming_bonus(claims, {"resnet50"}, 1.5, 3.0)[1]  # another size of the family names nothing


def test_a_count_in_a_dataset_table_is_no_accuracy():
    table = "| Dataset | #Train | #Test |\n|---|---|---|\n| CIFAR-10 | 50000 | 10000 |\n"
    text = "## Experiments\n\nWe report test accuracy.\n\n" + table
    assert readme_claims([doc(text)]) == []


def test_cells_keep_their_number_through_spreads_deltas_and_marks():
    cells = ["93.2 ± 0.1", "93.2 (±0.1)", "93.2±0.1%", "**93.2** (+1.2)", "93.2†", "93.2<sup>*</sup>", "_93.2_"]
    rows = "".join(f"| m{i} | {cell} |\n" for i, cell in enumerate(cells))
    claims = readme_claims([doc("| Model | Acc |\n|---|---|\n" + rows)])
    assert sorted(c.context for c in claims) == [f"m{i}" for i in range(len(cells))]
    assert {c.value for c in claims} == {0.932}


def test_sentences_name_the_metric_before_or_after_the_number_with_a_dataset_or_split_between():
    said = {
        "The accuracy on CIFAR-10 is 93.2%.": ("accuracy", 0.932),
        "It gets 93.2% on CIFAR-10.": ("accuracy", 0.932),
        "The model reaches 76.1% top-1 accuracy on ImageNet.": ("top1", 0.761),
        "F1 score on the test set: 91.35": ("test_f1", 0.9135),
        "Test set perplexity is 62.6.": ("test_perplexity", 62.6),
        "mIoU on Cityscapes val: 78.5": ("val_miou", 0.785),
        "Rank-1 accuracy of 88.2% and mAP of 70.7% on Market-1501": ("rank1", 0.882),
    }
    for sentence, claim in said.items():
        assert top(readme_claims([doc(sentence + "\n")])) == claim, sentence
    for training in ("accuracy for 10 epochs: 0.3", "accuracy over 5 runs is 93.1"):
        assert readme_claims([doc(training + "\n")]) == [], training


# Oushesh/CapsClassifigner @ 21a1fbce2ad2a00d4d9e8eec86a31dae778cca6f (README.md § Metrics / Tensorboard)
HTML_LIST = """\
## Metrics / Tensorboard

<b>Accuracy: </b>
<ul>
    <li>Train: 99%</li>
    <li>Validation: 98%</li>
    <li>Test: 97%</li>
</ul>
"""


def test_an_html_list_under_a_bold_metric_gives_one_claim_per_split_and_test_wins():
    claims = readme_claims([doc(HTML_LIST)])
    assert top(claims) == ("test_accuracy", 0.97)
    assert {c.metric for c in claims} == {"train_accuracy", "val_accuracy", "test_accuracy"}


def test_inline_html_is_markup_in_a_sentence():
    # nithishkaviyan/Sentiment-Analysis-of-Yelp-Reviews @ 8f9ab5445d401d0c51738449d551743477392477, README.md:15
    line = "Test Accuracy for LSTM Model    : <b>94.53%</b> (Test Sequence Length = 500)"
    assert top(readme_claims([doc(line)])) == ("test_accuracy", 0.9453)


def test_a_percentage_right_after_the_name_needs_no_verb_and_percent_is_a_unit():
    # SharifAmit/DilatedFCNSegmentation @ 28481a28c70faafce37949ec2381cd4a1417cc27, README.md § Score and Leaderboard
    text = (
        "# Score and Leaderboard\n- FCN2s-Dilated-VGG16 Mean Iou score 67.6 percent [FCN2s-Dilated-VGG16](http://x)\n"
    )
    assert top(readme_claims([doc(text)])) == ("miou", 0.676)


def test_a_percentage_achieved_on_a_split_is_in_the_metric_the_docs_name():
    # arsenzaryan/CapsNet @ d43130f35119a870076ecfe1c460c99dbe2a19ad, README.md:3-10
    text = (
        "# CapsNet\n\nAfter each epoch the accuracies on the whole train\nand test sets are computed.\n\n"
        "This network without much hyperparameter tuning easily achieved ~99.5% on test set in about 70 epochs.\n"
    )
    assert top(readme_claims([doc(text)])) == ("test_accuracy", 0.995)
    # xinpingwang/tf-faster-rcnn @ b70382b3787906c7f7e46bfd372f6894d58d78fd, README.md:208: a margin, not a score
    margin = (
        "in general it should be within ~1% of the reported numbers for VOC, "
        "and ~0.2% of the reported numbers for COCO."
    )
    assert readme_claims([doc(margin)]) == []


def test_a_threshold_is_no_result():
    # dalab/deep-ed @ 3088fc35c3819e32f62447cb6767be98baaf41c9, README.md:215
    line = "This will only happen after the model gets > 90% F1 score on validation set (see test.lua)."
    assert readme_claims([doc(line)]) == []


# Smerity/keras_snli @ 07ec02d3880eb02e365c569fcfbd3f82c4d4d1f3 (README.md:1, 30-33)
SPLIT_COLUMNS = """\
# Keras SNLI baseline example

Model                                              | Parameters | Train  | Validation | Test
---                                                | ---        | ---    | ---        | ---
300D sum(word vectors) + 3 x 600D ReLU (this code) | 1.2m       | 0.831  | 0.823      | 0.825
300D GRU + 3 x 600D ReLU (this code)               | 1.7m       | 0.843  | 0.830      | 0.823
"""


def test_columns_named_by_split_with_no_metric_take_the_benchmarks_metric():
    claims = readme_claims([doc(SPLIT_COLUMNS)])
    assert top(claims) == ("test_accuracy", 0.825)
    assert claims[0].dataset == "SNLI" and claims[0].split == "test"


# allenai/bi-att-flow @ 49004549e9a88b78c359b31481afa7792dbb3f4a (README.md:102-112, SQuAD named above)
SQUAD = """\
# Bi-directional Attention Flow for Machine Comprehension

Trained on SQuAD.

## Results

### Dev Data

|          | EM (%) | F1 (%) |
| -------- |:------:|:------:|
| single   | 67.7   | 77.3   |
| ensemble | 72.6   | 80.7   |
"""


def test_the_metric_the_benchmark_is_scored_by_wins_over_the_first_column():
    assert top(readme_claims([doc(SQUAD)])) == ("f1", 0.773)


def test_a_line_opening_with_inline_triple_backticks_opens_no_code_block():
    # eth-sri/diffai @ 6a694d7ca94ad1690937001fd1d492a435bc2244, README.md:156 and a results table below it
    text = (
        "```LinMix(a=IFGSM(k=2), b=InSamp(Lin(0,1,150,10)))``` is a training goal that appears to work well.\n\n"
        "| Network     | Standard Accuracy | MI_FGSM Accuracy |\n|---|---|---|\n| ConvBig | 98.5% | 97.2% |\n"
    )
    assert top(readme_claims([doc(text)])) == ("accuracy", 0.985)


# philipperemy/keras-tcn @ 7576256b8b2a138b88ae2483b8616681686e424f (README.md § Sequential MNIST, 236-244)
_BAR = "1875/1875 [==============================] - 46s 25ms/step"
KERAS_LOG = f"""\
#### Implementation results

```
{_BAR} - loss: 0.0949 - accuracy: 0.9706 - val_loss: 0.0763 - val_accuracy: 0.9756
[...]
{_BAR} - loss: 0.0453 - accuracy: 0.9858 - val_loss: 0.0424 - val_accuracy: 0.9862
```
"""


def test_a_pasted_keras_log_claims_its_last_held_out_number_not_a_loss_or_a_training_accuracy():
    claims = readme_claims([doc(KERAS_LOG)])
    assert top(claims) == ("val_accuracy", 0.9862)
    assert {"train_accuracy", "train_loss"} <= {c.metric for c in claims}
    assert "accuracy" not in {c.metric for c in claims}


def test_a_pair_of_years_is_named_as_a_config_spells_it():
    # xinpingwang/tf-faster-rcnn @ b70382b3787906c7f7e46bfd372f6894d58d78fd, README.md:14-16, and its
    # test command `test_faster_rcnn.sh $GPU_ID pascal_voc_0712 res101`
    text = (
        "### Detection Performance\n\nWith Resnet101 (last ``conv4``):\n"
        "  - Train on VOC 2007 trainval and test on VOC 2007 test, **75.7**.\n"
        "  - Train on VOC 2007+2012 trainval and test on VOC 2007 test (R-FCN schedule), **79.8**.\n"
    )
    assert "0712" in words_of("VOC 2007+2012") and "0712" in words_of("VOC 07+12")
    command = "bash experiments/scripts/test_faster_rcnn.sh $GPU_ID pascal_voc_0712 res101"
    assert top(rank_for_command(readme_claims([doc(text)]), command)) == ("map", 0.798)
