"""The output record's folders: every folder holding a file a build wrote, up to the output itself."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from conftest import TODAY, PlatformHandle
from louyu.memo.record import folders_of, parents

PATHS = st.lists(st.lists(st.sampled_from(["a", "b", "c.d", "站点"]), min_size=1, max_size=5).map("/".join), max_size=30)


@given(PATHS)
def test_the_folders_of_paths_are_their_parents(paths: list[str]) -> None:
    assert folders_of(paths) == {folder for path in paths for folder in parents(path)}


def test_the_output_folder_itself_is_one() -> None:
    assert folders_of(["index.html"]) == {""}
    assert folders_of(["a/b/index.html", "a/c.html"]) == {"", "a", "a/b"}
    assert folders_of([]) == set()


def test_the_record_of_an_output_made_with_other_settings_is_not_read(platform: PlatformHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page's key comes from the build's base key (louyu's code, the settings, the
    stations): an output written under another base is written whole, its record never read
    (at 1+30×4,000 reading and comparing it cost 60 MB that the station workers inherited)."""
    from louyu.memo import record as records
    from louyu.pipeline import build as pipeline

    read: list[object] = []
    real = records.load_record
    monkeypatch.setattr(pipeline, "load_record", lambda *a: read.append(a) or real(*a))
    assert platform.cli("build").exit_code == 0
    assert platform.cli("build", "--clock", TODAY.isoformat() + "T12:00").exit_code == 0  # (no no-op: another moment)
    assert len(read) == 1  # the same base: the record read, the changed files alone written
    platform.write("mkdocs.yml", platform.config.read_text("utf-8").replace("site_name: 测试平台", "site_name: 测试平台二"))
    result = platform.cli("build")
    assert result.exit_code == 0 and "未变" not in result.output
    assert len(read) == 1
    assert "测试平台二" in (platform.site / "hq/index.html").read_text("utf-8")
    again = platform.cli("build", "--clock", TODAY.isoformat() + "T13:00")
    assert again.exit_code == 0 and "未变" in again.output and len(read) == 2
