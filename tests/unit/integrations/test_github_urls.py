from __future__ import annotations

import pytest

from tarsy.integrations.github import RepoFolder, parse_tree_url, raw_url_for

RAW = "https://raw.githubusercontent.com"


@pytest.mark.parametrize(
    ("url", "raw"),
    [
        (
            "https://github.com/acme/sre/blob/main/runbooks/pod-crash.md",
            f"{RAW}/acme/sre/main/runbooks/pod-crash.md",
        ),
        ("https://github.com/acme/sre/raw/v1.2/x.md", f"{RAW}/acme/sre/v1.2/x.md"),
        ("https://www.github.com/acme/sre/blob/0a1b2c/docs/a%20b.md", f"{RAW}/acme/sre/0a1b2c/docs/a%20b.md"),
        ("https://GitHub.com/acme/sre/blob/main/x.md?plain=1", f"{RAW}/acme/sre/main/x.md?plain=1"),
        ("https://raw.githubusercontent.com/acme/sre/main/x.md", f"{RAW}/acme/sre/main/x.md"),
        ("https://github.com/acme/sre/tree/main/runbooks", None),
        ("https://github.com/acme/sre", None),
        ("https://github.com/acme/sre/blob/main", None),
        ("https://runbooks.example.com/k8s.md", None),
        ("https://gitlab.com/acme/sre/blob/main/x.md", None),
    ],
)
def test_github_file_urls_become_raw_content_urls(url: str, raw: str | None) -> None:
    assert raw_url_for(url, RAW) == raw


def test_raw_urls_are_rerooted_under_the_configured_base() -> None:
    base = "http://127.0.0.1:9999/raw/"
    assert raw_url_for("https://github.com/o/r/blob/main/a/b.md", base) == "http://127.0.0.1:9999/raw/o/r/main/a/b.md"
    assert raw_url_for(f"{RAW}/o/r/main/a.md", base) == "http://127.0.0.1:9999/raw/o/r/main/a.md"


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("https://github.com/acme/sre/tree/main/runbooks", RepoFolder("acme", "sre", "main", "runbooks")),
        ("https://github.com/acme/sre/tree/main/runbooks/k8s/", RepoFolder("acme", "sre", "main", "runbooks/k8s")),
        ("https://github.com/acme/sre/tree/v2", RepoFolder("acme", "sre", "v2", "")),
        ("https://github.com/acme/sre.git", RepoFolder("acme", "sre", None, "")),
    ],
)
def test_tree_urls_name_a_folder(url: str, folder: RepoFolder) -> None:
    assert parse_tree_url(url) == folder


@pytest.mark.parametrize(
    "url",
    ["https://gitlab.com/acme/sre/tree/main", "https://github.com/acme", "https://github.com/acme/sre/blob/main/x.md"],
)
def test_other_urls_are_not_folders(url: str) -> None:
    with pytest.raises(ValueError, match="GitHub"):
        parse_tree_url(url)


def test_contents_path_and_blob_url() -> None:
    folder = RepoFolder("acme", "sre", None, "")
    assert folder.contents_path("run books/x.md") == "/repos/acme/sre/contents/run%20books/x.md"
    assert folder.contents_path("") == "/repos/acme/sre/contents"
    assert folder.blob_url("x.md") == "https://github.com/acme/sre/blob/HEAD/x.md"
