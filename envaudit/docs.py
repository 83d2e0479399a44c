"""Rule documentation generated from the code: ``envaudit rules`` and ``docs/rules/*.md``.

``python -m envaudit.docs DIR`` rewrites ``DIR/docs/rules/`` (``tests/test_docs.py`` fails when
the committed pages are stale). Each page includes the rule's case folders from
``tests/rules/cases/<ID>/`` when the repository is at hand: the files of ``bad`` and ``good``
(text files in full, byte-level test files described), the findings ``bad`` must produce, and
a table of the edge cases.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from envaudit.rules.base import Rule

#: Case files larger than this, or with a longer line, are described rather than shown.
_MAX_SHOWN_BYTES = 8 * 1024
_MAX_SHOWN_LINE = 300
_FENCE_LANGUAGE = {".py": "python", ".toml": "toml", ".json": "json", ".mjs": "js",
                   ".js": "js", ".yml": "yaml", ".yaml": "yaml", ".sh": "sh"}
_CASES_REL = "tests/rules/cases"


def index_text(rules: Sequence[Rule]) -> str:
    """One line per rule."""
    width = max(len(r.meta.name) for r in rules)
    lines = [f"{r.meta.id}  {r.meta.name.ljust(width)}  {r.meta.severity.label:<7}  "
             f"{r.meta.summary}" for r in rules]
    return "\n".join(lines) + "\n"


def index_markdown(rules: Sequence[Rule]) -> str:
    """The catalogue as a Markdown table (``docs/rules/index.md``)."""
    lines = ["# envaudit rules", "", "Generated from the code by `python -m envaudit.docs`; "
             "do not edit by hand.", "", "| ID | name | severity | fires when |",
             "| --- | --- | --- | --- |"]
    lines += [f"| [{r.meta.id}]({r.meta.id}.md) | {r.meta.name} | {r.meta.severity.label} | "
              f"{r.meta.summary} |" for r in rules]
    return "\n".join(lines) + "\n"


def rule_text(rule: Rule) -> str:
    """What ``envaudit rules ID`` prints."""
    m = rule.meta
    head = f"{m.id} {m.name} ({m.severity.label}, since {m.since})"
    return f"{head}\n{'=' * len(head)}\n\n{rule.doc()}\n\nFix: {m.fix}\n"


# --------------------------------------------------------------------------- case files


def _escape_invisible(line: str) -> tuple[str, bool]:
    """``line`` with control and invisible characters as ``\\uXXXX`` escapes, trailing spaces as
    ``␠`` (editors and hooks strip them); whether anything was escaped."""
    out = []
    changed = False
    for ch in line:
        if ch == "\t" or ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
            changed = True
    text = "".join(out)
    stripped = text.rstrip(" ")
    if len(stripped) != len(text):
        text = stripped + "\u2420" * (len(text) - len(stripped))
        changed = True
    return text, changed


def describe_bytes(data: bytes) -> str | None:
    """Why ``data`` is not shown as text (``None``: it can be shown)."""
    size = f"{len(data):,} bytes"
    if data.startswith(b"\xff\xfe"):
        return f"UTF-16 LE text with a byte-order mark ({size})"
    if data.startswith(b"\xfe\xff"):
        return f"UTF-16 BE text with a byte-order mark ({size})"
    head = data[:512]
    if len(head) >= 8 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return f"UTF-16 LE text without a byte-order mark ({size})"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        return f"not valid UTF-8: byte 0x{data[exc.start]:02x} on line {at} ({size})"
    if "\x00" in text:
        return f"a NUL byte on line {text.count(chr(10), 0, text.index(chr(0))) + 1} ({size})"
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line.encode("utf-8")) > _MAX_SHOWN_LINE:
            return f"line {number} is {len(line.encode('utf-8')):,} bytes long ({size})"
    if len(data) > _MAX_SHOWN_BYTES:
        return f"too long to show ({size})"
    return None


def _fence(body: str, language: str = "") -> list[str]:
    ticks = "```"
    while ticks in body:
        ticks += "`"
    return [ticks + language, body, ticks]


def _language(path: Path) -> str:
    if path.name.startswith(".env") or path.suffix == ".env":
        return "dotenv"
    return _FENCE_LANGUAGE.get(path.suffix, "")


def file_markdown(path: Path, title: str) -> list[str]:
    """One case file: its content in a fence, or a description of its bytes."""
    data = path.read_bytes()
    why = describe_bytes(data)
    if why is not None:
        return [f"`{title}`: {why}; written by `tests/rules/make_binary_cases.py`, not shown.",
                ""]
    notes = []
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append("UTF-8 with a byte-order mark")
        data = data[3:]
    text = data.decode("utf-8")
    if "\r\n" in text:
        notes.append("CRLF line endings")
        text = text.replace("\r\n", "\n")
    lines, escaped = [], False
    for line in text.rstrip("\n").split("\n"):
        shown, changed = _escape_invisible(line)
        lines.append(shown)
        escaped = escaped or changed
    if escaped:
        notes.append("invisible characters as \\u escapes, trailing spaces as \u2420")
    head = f"`{title}`" + (f" ({'; '.join(notes)})" if notes else "") + ":"
    return [head, "", *_fence("\n".join(lines), _language(path)), ""]


def _case_files(case: Path) -> list[Path]:
    files = sorted(p for p in case.rglob("*") if p.is_file())
    dotenv = [p for p in files if _language(p) == "dotenv"]
    config = [p for p in files if p.name == "case.toml"]
    return config + dotenv + [p for p in files if p not in dotenv and p not in config]


def _findings(case: Path) -> list[str]:
    expected = case.with_name(case.name + ".expected")
    if not expected.is_file():
        return []
    return [line for line in expected.read_text(encoding="utf-8").splitlines() if line]


def _case_section(rule: Rule, cases_dir: Path) -> list[str]:
    folder = cases_dir / rule.meta.id
    if not folder.is_dir():
        return []
    rel = f"{_CASES_REL}/{rule.meta.id}"
    out = ["## Cases", "",
           f"The examples are test cases: each folder under [`{rel}/`](../../{rel}/) is a small "
           "project that `tests/rules/test_rule_cases.py` audits, comparing the findings with "
           "`<case>.expected` (`ID:source:path:line:message`). A `case.toml` gives the process "
           "environment (`[env]`; without it the run uses `--no-process-env`) and the options."
           + (" Its `[probe]` table names the servers the test starts on 127.0.0.1, whose "
              "addresses fill `{api}`, `{proxy}`, `{ca}` … in `[env]`; the real probe runs "
              "against them and the EA9 rules read its result (`tests/rules/casefiles.py`)."
              if rule.meta.id.startswith("EA9") else ""),
           ""]
    for kind, title in (("bad", "Bad"), ("good", "Good")):
        case = folder / kind
        if not case.is_dir():
            continue
        out += [f"### {title}: [`{kind}/`](../../{rel}/{kind}/)", ""]
        for path in _case_files(case):
            out += file_markdown(path, path.relative_to(case).as_posix())
        findings = _findings(case)
        if findings:
            out += [f"Findings (`{kind}.expected`):", "", *_fence("\n".join(findings)), ""]
        else:
            out += ["No finding.", ""]
    edges = sorted(p for p in folder.iterdir() if p.is_dir() and p.name.startswith("edge-"))
    if edges:
        out += ["### Edge cases", "", "| case | findings |", "| --- | --- |"]
        for case in edges:
            ids = [line.split(":", 1)[0] for line in _findings(case)]
            counted = ", ".join(f"{ids.count(i)} × {i}" for i in dict.fromkeys(ids)) or "none"
            out.append(f"| [`{case.name}`](../../{rel}/{case.name}/) | {counted} |")
        out.append("")
    return out


def rule_markdown(rule: Rule, cases_dir: Path | None = None) -> str:
    """A rule's page (``docs/rules/<ID>.md``)."""
    m = rule.meta
    doc = rule.doc().replace("## ", "### ")
    lines = [f"# {m.id} · {m.name}", "", f"- Severity: {m.severity.label}",
             f"- Added in: {m.since}", f"- Fires when: {m.summary}", f"- Fix: {m.fix}",
             f"- Source: `envaudit/rules/{type(rule).__module__.rsplit('.', 1)[-1]}.py` "
             f"(`{type(rule).__name__}`)", "", "## Documentation", "", doc, ""]
    if cases_dir is not None:
        lines += _case_section(rule, cases_dir)
    return "\n".join(lines).rstrip("\n") + "\n"


def generate(repo: Path) -> dict[Path, str]:
    """Every generated page under ``repo/docs/rules`` -> its content."""
    from envaudit.rules import ALL_RULES

    out_dir = repo / "docs" / "rules"
    cases = repo / _CASES_REL
    pages = {out_dir / "index.md": index_markdown(ALL_RULES)}
    for rule in ALL_RULES:
        pages[out_dir / f"{rule.meta.id}.md"] = rule_markdown(rule, cases)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the pages under the repository given as the first argument (default: cwd)."""
    args = list(sys.argv[1:] if argv is None else argv)
    repo = Path(args[0] if args else ".").resolve()
    pages = generate(repo)
    (repo / "docs" / "rules").mkdir(parents=True, exist_ok=True)
    for stale in (repo / "docs" / "rules").glob("*.md"):
        if stale not in pages:
            stale.unlink()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(pages)} pages to {repo / 'docs' / 'rules'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
