"""SOURCE arguments → plan: files, folders (recursive), globs, WARCs, URLs and @lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.sources import plan_sources
from medcodes.errors import SourceError


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for rel in ("a/one.html", "a/b/two.htm", "a/b/three.txt", "a/notes.md", "a/.hidden.html",
                "cap.warc.gz", "c/four.html"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return tmp_path


def test_folder_is_searched_recursively_for_pages_only(tree):
    plan = plan_sources([str(tree / "a")])
    assert [Path(p).relative_to(tree).as_posix() for p in plan.files] == ["a/one.html", "a/b/three.txt", "a/b/two.htm"]


def test_glob_warc_url_and_list_file(tree):
    listing = tree / "list.txt"
    listing.write_text("# comment\n\nc/four.html\nhttps://example.org/cpt/99213\n@" + str(tree / "more.txt") + "\n")
    (tree / "more.txt").write_text("cap.warc.gz\n")
    plan = plan_sources([str(tree / "a" / "*.html"), "@" + str(listing)])
    assert [Path(p).name for p in plan.files] == ["one.html", "four.html"]
    assert [Path(p).name for p in plan.warcs] == ["cap.warc.gz"]
    assert plan.urls == ["https://example.org/cpt/99213"]


def test_each_source_once(tree):
    plan = plan_sources([str(tree / "c"), str(tree / "c" / "four.html")])
    assert len(plan.files) == 1


@pytest.mark.parametrize("bad, message", [
    ("missing.html", "no such file"),
    ("nothing-*.html", "glob matched no files"),
    ("ftp://example.org/x", "unsupported source scheme"),
])
def test_bad_sources_are_usage_errors(tree, monkeypatch, bad, message):
    monkeypatch.chdir(tree)
    with pytest.raises(SourceError, match=message):
        plan_sources([bad])


def test_list_file_that_includes_itself_is_refused(tree):
    loop = tree / "loop.txt"
    loop.write_text(f"@{loop}\n")
    with pytest.raises(SourceError, match="includes itself"):
        plan_sources([f"@{loop}"])


def test_a_folder_walk_lists_files_then_subfolders_sorted_skips_hidden_and_follows_file_links(tmp_path) -> None:
    import os

    from extract.local import walk_directory

    for folder in ("b", "a/z", ".hidden"):
        (tmp_path / folder).mkdir(parents=True)
    for name in ("x.HTML", "y.txt", "z.warc.gz", "n.pdf", ".h.html", "a/1.htm", "a/z/2.html",
                 ".hidden/3.html", "b/4.WARC", "c.html"):
        (tmp_path / name).write_text("<p>x</p>")
    os.symlink(tmp_path / "a", tmp_path / "linked_folder")  # listed by name, never entered
    os.symlink(tmp_path / "c.html", tmp_path / "b" / "l.html")  # a linked file is its target
    walked = [Path(p).relative_to(tmp_path).as_posix() for p in walk_directory(tmp_path)]
    assert walked == ["c.html", "x.HTML", "y.txt", "z.warc.gz", "a/1.htm", "a/z/2.html", "b/4.WARC", "c.html"]
