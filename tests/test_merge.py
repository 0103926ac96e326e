from scout.models import Paper, Repo, Result, normalize_repo_url
from scout.search.merge import merge_papers


def test_same_arxiv_id_with_different_versions_and_sources_merge_into_one():
    a = Paper(title="Mask Classification", arxiv_id="2104.12255", sources=("arxiv",), abstract="short")
    b = Paper(
        title="Mask classification!",
        arxiv_id="2104.12255",
        sources=("pwc",),
        abstract="a longer abstract",
        repos=(Repo("https://github.com/o/r", official=True),),
    )
    [merged] = merge_papers([a, b])
    assert merged.sources == ("arxiv", "pwc")
    assert merged.abstract == "a longer abstract"
    assert merged.repos == (Repo("https://github.com/o/r", official=True),)
    assert merged.id == "arxiv:2104.12255"


def test_doi_then_title_and_year_identify_papers_without_arxiv_ids():
    by_doi = [Paper(title="X", doi="10.1/abc", sources=("pwc",)), Paper(title="Y", doi="10.1/abc", sources=("hf",))]
    assert len(merge_papers(by_doi)) == 1
    same_title = [
        Paper(title="Deep Residual Learning", published="2015-12-10", sources=("pwc",)),
        Paper(title="deep residual  learning.", published="2015-01-01", sources=("hf",)),
    ]
    assert len(merge_papers(same_title)) == 1
    other_year = [
        Paper(title="Deep Residual Learning", published="2015-12-10"),
        Paper(title="Deep Residual Learning", published="2019-01-01"),
    ]
    assert len(merge_papers(other_year)) == 2


def test_a_record_with_both_ids_bridges_two_earlier_records():
    by_arxiv = Paper(title="A", arxiv_id="1234.5678", sources=("arxiv",))
    by_doi = Paper(title="A (journal)", doi="10.1/z", sources=("pwc",), citations=7)
    both = Paper(title="A", arxiv_id="1234.5678", doi="10.1/z", sources=("hf",))
    [merged] = merge_papers([by_arxiv, by_doi, both])
    assert set(merged.sources) == {"arxiv", "pwc", "hf"}
    assert merged.citations == 7 and merged.doi == "10.1/z"


def test_repos_and_results_are_united_without_duplicates():
    r = Result("Image Classification", "ImageNet", "Top-1", 80.1, "M", "80.1%")
    a = Paper(title="P", arxiv_id="1", repos=(Repo("https://github.com/O/R", stars=10),), results=(r,))
    b = Paper(title="P", arxiv_id="1", repos=(Repo("https://github.com/o/r/", official=True, stars=12),), results=(r,))
    [merged] = merge_papers([a, b])
    assert merged.repos == (Repo("https://github.com/O/R", official=True, stars=12),)
    assert merged.results == (r,)


def test_normalize_repo_url():
    assert normalize_repo_url("http://www.github.com/A/b.git/") == "https://github.com/a/b"
