"""The output record's folders: every folder holding a file a build wrote, up to the output itself."""

from __future__ import annotations

from hypothesis import given, strategies as st

from louyu.memo.record import folders_of, parents

PATHS = st.lists(st.lists(st.sampled_from(["a", "b", "c.d", "站点"]), min_size=1, max_size=5).map("/".join), max_size=30)


@given(PATHS)
def test_the_folders_of_paths_are_their_parents(paths: list[str]) -> None:
    assert folders_of(paths) == {folder for path in paths for folder in parents(path)}


def test_the_output_folder_itself_is_one() -> None:
    assert folders_of(["index.html"]) == {""}
    assert folders_of(["a/b/index.html", "a/c.html"]) == {"", "a", "a/b"}
    assert folders_of([]) == set()
