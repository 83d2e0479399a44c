"""``envaudit.diff_format``: the diff of the three fixture environments in each format,
against golden files (``pytest --update-golden`` rewrites them; review the diff), and the
Markdown through a real GitHub-flavoured renderer."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from envaudit.diff import compare
from envaudit.diff_format import CELL_WIDTH, RENDERERS, render_text, summary_line
from envaudit.snapshots.load import read

ASSETS = Path(__file__).resolve().parent / "assets" / "snapshots"
GOLDEN = Path(__file__).resolve().parent / "formatters" / "golden"
SUFFIX = {"text": "txt", "json": "json", "markdown": "md"}


def _comparison():
    snaps = [read(str(ASSETS / f"{n}.json")) for n in ("dev", "staging", "prod")]
    return compare([s._replace(label=f"{n}.json", origin=f"snapshots/{n}.json")
                    for s, n in zip(snaps, ("dev", "staging", "prod"))])


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_golden(fmt: str, update_golden: bool) -> None:
    text = RENDERERS[fmt](_comparison())
    path = GOLDEN / f"diff.{SUFFIX[fmt]}"
    if update_golden:
        path.write_text(text, encoding="utf-8")
        return
    assert text == path.read_text(encoding="utf-8")


def test_json_is_json_with_one_cell_per_snapshot() -> None:
    doc = json.loads(RENDERERS["json"](_comparison()))
    assert doc["kind"] == "envaudit-diff" and doc["schema_version"] == 1
    assert [s["label"] for s in doc["snapshots"]] == ["dev.json", "staging.json", "prod.json"]
    assert [s["environment"] for s in doc["snapshots"]] == ["development", "staging",
                                                            "production"]
    assert all(len(d["cells"]) == 3 for d in doc["differences"])
    assert doc["rule_findings"][0]["id"] == "EA706"
    assert doc["summary"]["new_findings"] == len(doc["findings"]["new"])


def test_text_cells_keep_the_fingerprint_when_cut() -> None:
    from envaudit.diff_format import _fit

    hint = "sk-ant-api03-…deAA (108 chars, fp 8de668ac064f4f18)" + " padding" * 10
    cut = _fit(hint, CELL_WIDTH)
    assert len(cut) == CELL_WIDTH and cut.startswith("sk-ant-api03-") and "…" in cut[20:]
    assert _fit("short", CELL_WIDTH) == "short"
    text = render_text(_comparison())
    assert "fp 8de668ac064f4f18" in text
    colored = render_text(_comparison(), color=True)
    assert "\x1b[33mwarning\x1b[0m" in colored


def test_summary_line() -> None:
    assert summary_line(_comparison()).startswith("6 differences (5 warnings, 1 info)")
    same = read(str(ASSETS / "dev.json"))
    assert summary_line(compare([same, same])) == "No differences."


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)


def test_markdown_renders_as_github_does() -> None:
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    html = cmarkgfm.github_flavored_markdown_to_html(
        RENDERERS["markdown"](_comparison()), options=Options.CMARK_OPT_UNSAFE)
    parser = _Tags()
    parser.feed(html)
    assert parser.tags.count("table") == 3  # variables, network, findings
    assert parser.tags.count("tr") == 1 + 4 + 1 + 2 + 1 + 3
    assert "|" not in "".join(p for p in html.split("<td>")[1:] if "</td>" not in p)
