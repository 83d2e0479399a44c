"""``envaudit.snapshots.load``: every kind of bad snapshot is one clear line, never a
traceback; a good one of any supported version loads."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envaudit.snapshots.load import SnapshotError, load_bytes, load_document, read

ASSETS = Path(__file__).resolve().parents[1] / "assets" / "snapshots"


def _doc(name: str = "prod") -> dict[str, Any]:
    """A fixture snapshot (prod: one with findings, a custom base URL, a model)."""
    return json.loads((ASSETS / f"{name}.json").read_text(encoding="utf-8"))


def _error(data: bytes) -> str:
    with pytest.raises(SnapshotError) as info:
        load_bytes(data, "snap.json")
    message = str(info.value)
    assert "\n" not in message and message.startswith("snap.json: ")
    return message


def test_a_fixture_loads_as_itself() -> None:
    loaded = read(str(ASSETS / "dev.json"))
    assert loaded.label == str(ASSETS / "dev.json") and loaded.read_as == 2
    assert loaded.document == _doc("dev")


@pytest.mark.parametrize(("data", "said"), [
    (b"", "empty, not a snapshot"),
    (b"  \n\t", "empty, not a snapshot"),
    (b"\x00\x01\x02\xff\xfe binary", "not UTF-8 text"),
    (b"hello", "invalid JSON at line 1 column 1"),
    (b"[1, 2]", "the JSON is an array, not an object"),
    (b'"text"', "the JSON is a string, not an object"),
    (b'{"a": 1}', "not an envaudit snapshot (no tool.name)"),
    (b'{"tool": {"name": "diffenv"}}', "not an envaudit snapshot (written by 'diffenv')"),
    (b'{"tool": {"name": "envaudit"}, "kind": "envaudit-diff", "schema_version": 1}',
     "an envaudit 'envaudit-diff' document, not a snapshot"),
    (b'{"tool": {"name": "envaudit"}}', "schema_version is missing or not an integer"),
    (b'{"tool": {"name": "envaudit"}, "schema_version": "2"}', "not an integer"),
    (b'{"tool": {"name": "envaudit"}, "schema_version": true}', "not an integer"),
    (b'{"tool": {"name": "envaudit"}, "schema_version": 0}', "schema_version 0 with no kind"),
    (b'{"tool": {"name": "envaudit", "version": "9.0.0"}, "kind": "envaudit-snapshot", '
     b'"schema_version": 7}',
     "schema_version 7 (envaudit 9.0.0) is newer than this envaudit reads (up to 2): upgrade "
     "envaudit"),
    (b'{"tool": {"name": "envaudit"}, "schema_version": 2}', "schema_version 2 with no kind"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_bad_input_is_one_line(data: bytes, said: str) -> None:
    assert said in _error(data)


def test_a_truncated_snapshot_says_so() -> None:
    data = (ASSETS / "dev.json").read_bytes()
    for cut in (1, 100, len(data) // 2, len(data) - 3):
        assert "ends early" in _error(data[:cut]) and "truncated?" in _error(data[:cut])


@pytest.mark.parametrize(("edit", "said"), [
    (lambda d: d.pop("variables"), "the document lacks the member 'variables'"),
    (lambda d: d.__setitem__("variables", {}), "variables must be array, not an object"),
    (lambda d: d["variables"][0].__setitem__("name", 3), "variables[0].name must be string"),
    (lambda d: d["findings"][0].__setitem__("severity", "fatal"),
     'findings[0].severity must be one of "error", "warning", "info"'),
    (lambda d: d["findings"][0]["location"].__setitem__("line", 0),
     "findings[0].location.line must be at least 1"),
    (lambda d: d["fingerprints"].__setitem__("check", "xyz"),
     "fingerprints.check is not in the expected form"),
    (lambda d: d["host"].__setitem__("time", "yesterday"), "host.time is not in the expected"),
    (lambda d: d["summary"].__setitem__("error", -1), "summary.error must be at least 0"),
    (lambda d: d["summary"].__setitem__("error", 1.5), "summary.error must be integer"),
    (lambda d: d["summary"].__setitem__("error", True), "summary.error must be integer"),
    (lambda d: d.__setitem__("name", "x" * 65), "name is longer than 64 characters"),
    (lambda d: d["files"][0].__setitem__("mode", "rw-r--r--"), "files[0].mode is not in"),
])
def test_a_hand_edited_snapshot_names_the_member(edit: Any, said: str) -> None:
    doc = _doc()
    edit(doc)
    message = _error(json.dumps(doc).encode())
    assert said in message and message.endswith("(edited by hand?)")


def test_utf16_and_a_bom_are_read() -> None:
    text = (ASSETS / "dev.json").read_text(encoding="utf-8")
    assert load_bytes(text.encode("utf-16"), "ps.json").document == _doc("dev")
    assert load_bytes(b"\xef\xbb\xbf" + text.encode(), "bom.json").document == _doc("dev")
    assert "broken UTF-16" in _error(b"\xff\xfe\x00\xd8")


def test_unreadable_paths(tmp_path: Path) -> None:
    for path, said in ((tmp_path / "missing.json", "cannot read it (No such file"),
                       (tmp_path, "a folder, not a snapshot file")):
        with pytest.raises(SnapshotError, match="^" + str(path) + ": ") as info:
            read(str(path))
        assert said in str(info.value)
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    with pytest.raises(SnapshotError, match="cannot read it"):
        read(str(loop))


def test_a_huge_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from envaudit.snapshots import load

    monkeypatch.setattr(load, "MAX_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 1001)
    with pytest.raises(SnapshotError, match="larger than"):
        read(str(big))


def test_a_document_loads_once_without_being_changed() -> None:
    doc = _doc()
    before = copy.deepcopy(doc)
    load_document(doc, "x")
    assert doc == before


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                     | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*here, i))
    return out


_PATHS = _paths(_doc())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(_PATHS[1:]), replacement=_JSON, delete=st.booleans())
def test_any_edit_loads_and_compares_or_is_one_line(where: tuple[Any, ...], replacement: Any,
                                                     delete: bool) -> None:
    """Replace or delete any one value of a good snapshot: it loads and compares, or it is a
    ``SnapshotError``; nothing else ever escapes."""
    from envaudit.diff import compare
    from envaudit.diff_format import render_json, render_markdown, render_text

    doc = _doc()
    parent = doc
    for key in where[:-1]:
        parent = parent[key]
    if delete:
        del parent[where[-1]]
    else:
        parent[where[-1]] = replacement
    try:
        edited = load_bytes(json.dumps(doc).encode(), "edited.json")
    except SnapshotError as exc:
        assert "\n" not in str(exc)
        return
    comparison = compare([read(str(ASSETS / "dev.json")), edited])
    for render in (render_text, render_json, render_markdown):
        assert render(comparison)
