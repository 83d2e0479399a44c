"""The committed rule pages (``docs/rules/``) are exactly what ``python -m envaudit.docs .``
writes, and they say what the rule cases show."""

from __future__ import annotations

from pathlib import Path

from envaudit import docs
from envaudit.rules import ALL_RULES

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "rules"
HINT = "run `python -m envaudit.docs .`"


def test_committed_pages_match_the_generator() -> None:
    pages = docs.generate(REPO)
    stale = [p.name for p, text in pages.items()
             if not p.is_file() or p.read_text(encoding="utf-8") != text]
    assert stale == [], f"stale rule pages {stale}: {HINT}"
    extra = sorted(p.name for p in DOCS.glob("*.md") if p not in pages)
    assert extra == [], f"pages of no rule {extra}: {HINT}"


def test_every_rule_page_shows_its_bad_and_good_cases() -> None:
    pages = docs.generate(REPO)
    for rule in ALL_RULES:
        page = pages[DOCS / f"{rule.meta.id}.md"]
        assert f"# {rule.meta.id} · {rule.meta.name}" in page
        assert "### Bad: " in page and "### Good: " in page, rule.meta.id
        assert "### What it does" in page


def test_binary_case_files_are_described_not_dumped() -> None:
    page = docs.generate(REPO)[DOCS / "EA206.md"]
    assert "UTF-16 LE text with a byte-order mark" in page
    assert "\x00" not in page and "\ufffd" not in page


def test_describe_bytes() -> None:
    assert docs.describe_bytes(b"KEY=value\n") is None
    assert docs.describe_bytes("KEY=v\n".encode("utf-16")).startswith("UTF-16")
    assert docs.describe_bytes(b"K=\xfc\n").startswith("not valid UTF-8: byte 0xfc on line 1")
    assert docs.describe_bytes(b"A=1\nB=\x00\n").startswith("a NUL byte on line 2")
    assert docs.describe_bytes(b"A=" + b"x" * 400 + b"\n").startswith("line 1 is 402 bytes")


def test_invisible_characters_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_bytes("A=x\u200by\u00a0\nB=z   \r\n".encode())
    lines = docs.file_markdown(path, ".env")
    body = "\n".join(lines)
    assert "A=x\\u200by\\xa0" in body and "B=z\u2420\u2420\u2420" in body
    assert "CRLF line endings" in body
