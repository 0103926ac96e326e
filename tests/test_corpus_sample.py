"""bench/corpus/sample.py's near-copy rule (--drop-near-copies). The pairs are forks and copies that
the fourth draw (sample4.tsv) held beside repos of earlier draws, and independent repos of the same
papers that it must keep."""

from bench.corpus.sample import NearCopies


def corpus(*rows):
    copies = NearCopies()
    for repo, paper in rows:
        copies.add(repo, paper)
    return copies


def test_a_renamed_fork_of_the_same_paper_is_a_near_copy():
    copies = corpus(
        ("openai/cleverhans", "explaining and harnessing adversarial examples"),
        ("eric-erki/darknet", "focal loss for dense object detection"),
        ("andrejonasson/dynamic-coattention-network-plus", "bidirectional attention flow for machine comprehension"),
    )
    assert copies.holds("AngusG/cleverhans-attacking-bnns", "explaining and harnessing adversarial examples")
    assert copies.holds("ghaniskn/GCorp-Darknet", "focal loss for dense object detection")
    assert copies.holds("lmn-extracts/dcn_plus", "bidirectional attention flow for machine comprehension")


def test_the_same_name_under_another_owner_is_a_near_copy_whatever_the_paper():
    copies = corpus(("eric-erki/darknet", None), ("zhong110020/py-faster-rcnn", "faster r-cnn"))
    assert copies.holds("PolarisAlpha/Darknet", None)
    assert copies.holds("UPCLJ/py_faster_rcnn", "some other paper")


def test_a_shared_word_or_another_paper_is_not_enough():
    copies = corpus(("supercrazysam/Fractional_MaxPooling", "fractional max-pooling"))
    assert not copies.holds("JonasWechsler/DeepLearningLab5", "fractional max-pooling")
    assert not copies.holds("someone/MaxPooling-study", "fractional max-pooling")
    assert not copies.holds("VladimirGol/KerasFractionalMaxPooling", "another paper")
    assert copies.holds("VladimirGol/KerasFractionalMaxPooling", "fractional max-pooling")
