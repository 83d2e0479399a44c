"""Rule documentation generated from the code: ``envaudit rules`` and ``docs/rules/*.md``.

``python -m envaudit.docs DIR`` rewrites ``DIR/docs/rules/`` (``tests/test_docs.py`` fails when
the committed pages are stale). Each page includes the rule's bad and good case files from
``tests/rules/cases/<ID>/`` when the repository is at hand.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from envaudit.rules.base import Rule


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


def _case_section(rule: Rule, cases_dir: Path) -> list[str]:
    folder = cases_dir / rule.meta.id
    if not folder.is_dir():
        return []
    out: list[str] = []
    for kind, title in (("bad", "Bad case"), ("good", "Good case")):
        for path in sorted(folder.glob(f"{kind}*")):
            if path.suffix in (".expected",) or path.is_dir() and not any(path.iterdir()):
                continue
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for f in files:
                if f.suffix == ".expected" or f.name == "case.toml":
                    continue
                rel = f.relative_to(folder)
                body = f.read_text(encoding="utf-8", errors="replace").rstrip("\n")
                out += [f"### {title}: `{rel.as_posix()}`", "", "```", body, "```", ""]
    return out


def rule_markdown(rule: Rule, cases_dir: Path | None = None) -> str:
    """A rule's page (``docs/rules/<ID>.md``)."""
    m = rule.meta
    doc = rule.doc().replace("## ", "### ")
    lines = [f"# {m.id} · {m.name}", "", f"- Severity: {m.severity.label}",
             f"- Added in: {m.since}", f"- Fires when: {m.summary}", f"- Fix: {m.fix}",
             f"- Source: `envaudit/rules/{type(rule).__module__.rsplit('.', 1)[-1]}.py` "
             f"(`{type(rule).__name__}`)", "", doc, ""]
    if cases_dir is not None:
        cases = _case_section(rule, cases_dir)
        if cases:
            lines += ["## Cases (tests/rules/cases)", ""] + cases
    return "\n".join(lines).rstrip("\n") + "\n"


def generate(repo: Path) -> dict[Path, str]:
    """Every generated page under ``repo/docs/rules`` -> its content."""
    from envaudit.rules import ALL_RULES

    out_dir = repo / "docs" / "rules"
    cases = repo / "tests" / "rules" / "cases"
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
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {repo / 'docs' / 'rules'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
