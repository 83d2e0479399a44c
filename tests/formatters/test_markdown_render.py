"""The bug-ticket report (``--format markdown``, issue 6) as GitHub shows it.

* rendered with cmark-gfm (GitHub's own renderer, through ``cmarkgfm``) and read back with
  ``html.parser``: every table renders as a table with its header's cell count in every row,
  every ``<details>`` block keeps its ``<summary>`` and renders the Markdown inside it, no
  table syntax is left as text;
* the length a ticket can take: under 60 lines outside ``<details>`` for a typical project
  (every sample project of ``sample_envs/``, and one with its SDK installed), and under
  GitHub's 65,536 characters for a monorepo's hundreds of findings;
* the ``--pid`` limit sentence, and a pure function of the report;
* looked at: the HTML page with a GitHub-like stylesheet (``github.css``) screenshotted in
  headless Chromium (skipped without it); ``ENVAUDIT_SCREENSHOTS=DIR`` keeps the PNGs there.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from factories import (
    findings_report,
    make_file,
    make_finding,
    make_report,
    make_snapshot,
    venv,
)
from test_sample_envs import PROJECTS, SAMPLES, expected, options_for

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.engine import Report
from envaudit.formatters import FORMATTERS, OutputFormat, RenderOptions, markdown
from envaudit.model import PROCESS, Definition, Location, PidEnvironment, Skip
from formatters.test_formatters import (  # _pinned: the golden files' autouse fixture
    PINNED_HOST,
    _pinned,  # noqa: F401
    _tables,
)

#: GitHub renders an issue or comment with raw HTML allowed (then sanitised, keeping
#: <details> and <summary>) and, in comments, line breaks kept.
AS_FILE = Options.CMARK_OPT_UNSAFE
AS_COMMENT = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_HARDBREAKS
CSS = Path(__file__).with_name("github.css")
#: The lines a typical project's report may take outside <details> (issue 6).
TYPICAL_LINES = 60



def md(report: Report, **options: bool) -> str:
    return FORMATTERS[OutputFormat.MARKDOWN].render(report, RenderOptions(**options))


def sample_report(project: str) -> Report:
    """The sample project audited as its ``expected.toml`` says, with the pinned host."""
    return engine.audit(engine.collect(options_for(project)))._replace(host=PINNED_HOST)


def outside_details(text: str) -> list[str]:
    """The lines a reader sees before opening any <details> block."""
    out, depth = [], 0
    for line in text.splitlines():
        if line.startswith("<details>"):
            depth += 1
        elif line == "</details>":
            depth -= 1
        elif depth == 0:
            out.append(line)
    assert depth == 0
    return out


# ---------------------------------------------------------------- what cmark-gfm makes of it
class Rendered(HTMLParser):
    """The tables (cells per row, header first), <details> blocks (their first child and
    what they hold) and text outside tables of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: list[list[int]] = []
        self.details: list[dict[str, object]] = []
        self.texts: list[str] = []
        self._open: list[str] = []
        self._row = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            return
        if "details" in self._open:  # inside the last block opened
            block = self.details[-1]
            if block["first"] is None:
                block["first"] = tag
            block["holds"].add(tag)  # type: ignore[attr-defined]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = 0
        elif tag in ("td", "th"):
            self._row += 1
        elif tag == "details":
            self.details.append({"first": None, "holds": set()})
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self.tables[-1].append(self._row)
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "table" not in self._open and data.strip():
            self.texts.append(data)


def rendered(text: str, options: int = AS_FILE) -> Rendered:
    return Rendered(cmarkgfm.github_flavored_markdown_to_html(text, options=options))


def reports() -> Iterator[tuple[str, Report]]:
    yield "fixture", findings_report()._replace(host=PINNED_HOST)
    yield "many", many_findings()
    yield "pid", pid_report()
    for project in PROJECTS:
        yield project, sample_report(project)


def many_findings(n: int = 3000) -> Report:
    """A monorepo's report: ``n`` findings, 40 files, 12 environments, 30 skipped files."""
    files = [make_file(f"apps/a{i}/.env", {"ANTHROPIC_API_KEY": f"sk-ant-api03-{i:0>93}AA"})
             for i in range(40)]
    skipped = [Skip("dotenv", "not readable: Permission denied", path=f"apps/s{i}/.env")
               for i in range(30)]
    envs = tuple(venv("anthropic 2.17.0", "httpx2 2.17.0", path=f"services/s{i}/.venv")
                 for i in range(12))
    snap = make_snapshot(files, {}, skipped=skipped)._replace(python_envs=envs)
    findings = [make_finding("EA103", f"ANTHROPIC_API_KEY ends with a space | number {i}",
                             location=Location("dotenv", f"apps/a{i % 40}/.env", i))
                for i in range(n)]
    return make_report(snap, findings)._replace(host=PINNED_HOST)


def pid_report() -> Report:
    """The environment of a running process (``--pid``) instead of envaudit's own."""
    pid = PidEnvironment(4242, "gunicorn", (
        Definition("ANTHROPIC_MODEL", "claude-sonnet-4-5", Location("pid", pid=4242), PROCESS),))
    snap = make_snapshot([make_file(".env", {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "p" * 93
                                             + "AA"})])._replace(pids=(pid,))
    return make_report(snap)._replace(host=PINNED_HOST)


@pytest.mark.parametrize("options", [AS_FILE, AS_COMMENT], ids=["file", "comment"])
def test_tables_and_details_really_render(options: int) -> None:
    for name, report in reports():
        text = md(report)
        page = rendered(text, options)
        # every Markdown table is an HTML table, each row with the header's cell count
        assert len(page.tables) == len(_tables(text)), name
        for table in page.tables:
            assert len(table) >= 2 and len(set(table)) == 1, (name, table)
        # every fold is a <details> whose first child is its <summary>, and what it holds
        # rendered as Markdown (a table or a list; a fold left with no room, the paragraph
        # saying so with its `code`), not as text
        assert len(page.details) == text.count("<details><summary>"), name
        for block in page.details:
            holds = block["holds"]
            assert block["first"] == "summary", name
            assert holds & {"table", "ul"} or {"p", "code"} <= holds, (  # type: ignore[operator]
                name, block)
        # no table syntax and no escaped HTML left as text
        assert not [t for t in page.texts if "| ---" in t or t.lstrip().startswith("| ")], name
        assert "&lt;details" not in cmarkgfm.github_flavored_markdown_to_html(text, options)


def test_the_fixtures_tables_have_the_cells_written() -> None:
    page = rendered(md(findings_report()._replace(host=PINNED_HOST)))
    # findings (4 columns), configuration (4), sources (5), versions (5), routes (2), every
    # route (6): a header row, then one row per finding, variable, source, environment, client
    assert page.tables == [[4] * 5, [4] * 8, [5] * 8, [5] * 2, [2] * 3, [6] * 3]
    assert [b["first"] for b in page.details] == ["summary"] * 3


# ---------------------------------------------------------------- length
@pytest.mark.parametrize("project", PROJECTS)
def test_a_sample_projects_report_stays_under_60_lines(project: str) -> None:
    """Typical: a small app as the sample projects are (one to four dotenv files, up to a
    handful of findings). The folded detail does not count: a reader opens it on demand."""
    text = md(sample_report(project))
    assert len(outside_details(text)) < TYPICAL_LINES, text


def test_a_typical_project_with_its_sdk_installed_stays_under_60_lines(
        tmp_path: Path, clean_environ: dict[str, str]) -> None:
    """The README's demo project with a virtualenv holding the SDK, its HTTP stack, requests
    and python-dotenv (the SDK table and the network table have rows of their own)."""
    root = tmp_path / "app"
    shutil.copytree(SAMPLES / "python-newline-key", root)
    (root / ".env").write_bytes((SAMPLES / "python-newline-key" / ".env").read_bytes())
    site = root / ".venv" / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.12.4\n")
    for name, version in (("anthropic", "2.17.0"), ("httpx2", "2.17.0"),
                          ("requests", "2.34.2"), ("python-dotenv", "1.2.1")):
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.3\nName: {name}\n"
                                       f"Version: {version}\n\n")
    environ = dict(expected("python-newline-key")["env"])
    environ["PATH"] = str(root / ".no-such-bin")
    snap = engine.collect(CollectOptions(root=str(root), environ=environ, process_env=True,
                                         today="2026-12-06", offline=True))
    text = md(engine.audit(snap)._replace(host=PINNED_HOST))
    assert "| `.venv` | .venv in the project | Python 3.12.4 | anthropic 2.17.0 |" in text
    assert ("Every client goes direct to `https://api.anthropic.com` (no proxy variable set): "
            "anthropic 2.17.0 (.venv), requests 2.34.2 (.venv), curl.") in text
    assert len(outside_details(text)) < TYPICAL_LINES, text


def test_a_monorepos_report_fits_a_github_comment() -> None:
    report = many_findings(3000)
    text = md(report)
    assert len(text) < 65_536
    assert len(outside_details(text)) < 2 * TYPICAL_LINES
    shown = sum(1 for line in text.splitlines() if line.startswith("| error | [EA103"))
    left = 3000 - shown
    assert shown > markdown.FIRST_FINDINGS
    assert f"{left} findings not listed here (a GitHub comment holds 65,536 characters): " \
           "`envaudit scan --format json` lists every one." in text
    assert "By rule: EA103 ×3000." in text
    # a fold that fits is never cut: the same report with 30 findings lists all of them
    small = md(many_findings(30))
    assert sum(1 for line in small.splitlines() if line.startswith("| error | [EA103")) == 30
    assert "not listed here" not in small.split("### Effective configuration")[0]


# ---------------------------------------------------------------- content
def test_the_pid_limit_is_stated_when_a_process_was_read() -> None:
    text = md(pid_report())
    assert "audited: environment of pid 4242 (gunicorn) and 1 dotenv file" in text
    quote = next(line for line in text.splitlines() if line.startswith("> "))
    assert "Read from pid 4242: the environment it started with" in quote
    assert "(/proc/PID/environ is fixed at exec)" in quote
    assert "values it loaded later with load_dotenv() or dotenv.config() are not in it" in quote
    assert "the .env rows show what its loader would have added" in quote
    assert "loaded after exec" in text.split("### What could not be checked")[1]
    assert "/proc" not in md(findings_report())


def test_not_checked_names_skipped_items_and_release_lookups() -> None:
    from envaudit.model import ReleaseCheck, Releases

    releases = Releases((ReleaseCheck("python", "anthropic", "2.17.0", source="bundled",
                                      date="2026-12-06", reason="--offline"),),
                        offline="--offline")
    report = findings_report()._replace(host=PINNED_HOST)
    report = report._replace(snapshot=report.snapshot._replace(releases=releases))
    gaps = md(report).split("### What could not be checked")[1].split("###")[0]
    assert "- `config/.env.production`: not readable: Permission denied" in gaps
    assert ("- latest `anthropic` release: not asked of the index (--offline); compared with "
            "the release data bundled with envaudit") in gaps
    clean = md(make_report(make_snapshot(process={})))
    assert "Nothing: every file, environment and lookup named was read." in clean
    odd = make_report(make_snapshot(skipped=[Skip("dotenv", "a | b", path="x|y/.env")]))
    html = cmarkgfm.github_flavored_markdown_to_html(md(odd), options=AS_FILE)
    assert "<li><code>x|y/.env</code>: a | b</li>" in html  # a list item: no \| shown


def test_a_pure_function_of_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    report = findings_report()._replace(host=PINNED_HOST)
    first = md(report)

    def no_io(*args: object, **kwargs: object) -> None:
        raise AssertionError("the formatter read a file")

    monkeypatch.setattr("builtins.open", no_io)
    assert md(report) == first
    assert md(report._replace(context=None)) == first  # the context is rebuilt, same text


def test_the_root_is_shown_under_home_as_tilde() -> None:
    text = md(make_report(make_snapshot(root="/home/golden/app")))
    assert "in `~/app`" in text and "/home/golden" not in text


# ---------------------------------------------------------------- looked at
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             "/usr/bin/chromium") if p and os.path.exists(p)), None)


def page(text: str, opened: bool) -> str:
    """The report as an HTML page: cmark-gfm's HTML in a GitHub-like comment box; every
    <details> open when ``opened``."""
    body = cmarkgfm.github_flavored_markdown_to_html(text, options=AS_COMMENT)
    if opened:
        body = body.replace("<details>", "<details open>")
    return ("<!doctype html><html><head><meta charset='utf-8'><style>"
            f"{CSS.read_text(encoding='utf-8')}</style></head><body>"
            f"<div class='markdown-body'>{body}</div></body></html>")


def screenshot(html: str, out: Path, size: tuple[int, int]) -> bytes:
    """``html`` rendered by headless Chromium into ``out`` (PNG); its bytes."""
    folder = out.parent / f"{out.stem}-page"
    folder.mkdir()
    source = folder / "page.html"
    source.write_text(html, encoding="utf-8")
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
         f"--user-data-dir={folder / 'profile'}", f"--screenshot={out}",
         f"--window-size={size[0]},{size[1]}", source.as_uri()],
        capture_output=True, timeout=120, check=False)
    assert out.is_file(), f"chromium made no screenshot of {out.name}"
    return out.read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (and a check that it is a whole PNG)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert data[-8:-4] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixels_bytes(data: bytes) -> int:
    """The decompressed size of the image data (IDAT chunks): checks the stream is whole."""
    at, idat = 8, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    return len(zlib.decompress(idat))


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)")
def test_looked_at_in_headless_chromium(tmp_path: Path) -> None:
    """The pages Chromium draws: a blank page, then each report with its folds closed and
    open. A report draws far more than the blank page, and opening the folds draws more
    still (their tables are there and hidden until opened)."""
    keep = os.environ.get("ENVAUDIT_SCREENSHOTS")
    size = (1100, 2600)
    blank = screenshot(page("", False), tmp_path / "blank.png", size)
    assert png_size(blank) == size
    cases = {"broken": sample_report("python-newline-key"),
             "clean": sample_report("clean-fastapi-dotenv"),
             "fixture": findings_report()._replace(host=PINNED_HOST)}
    for name, report in cases.items():
        text = md(report)
        closed = screenshot(page(text, False), tmp_path / f"{name}.png", size)
        opened = screenshot(page(text, True), tmp_path / f"{name}-open.png", size)
        for shot in (closed, opened):
            assert png_size(shot) == size
            assert pixels_bytes(shot) >= size[0] * size[1] * 3  # every row there
        assert len(closed) > 4 * len(blank), name
        assert len(opened) > len(closed), name
        if keep:
            for suffix in ("", "-open"):
                shutil.copy(tmp_path / f"{name}{suffix}.png", Path(keep) / f"{name}{suffix}.png")
