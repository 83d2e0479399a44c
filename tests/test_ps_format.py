"""``envaudit ps`` output (``envaudit.formatters.ps``): the text table, its summary, the JSON
document's fields and the Markdown table, from a fixed process list."""

from __future__ import annotations

import json
import time

import pytest

from envaudit import ps_format
from envaudit.model import CommandSecret
from envaudit.processes import DENIED, EXITED, ZOMBIE, ProcessList, ProcessRow, ShownVariable

HINT = "sk-ant-api03-…x9AA (108 chars, fp 3f2a9c0d1b7e4a65)"
STARTED = time.mktime((2026, 12, 6, 9, 14, 3, 0, 0, -1))


def _list(*, denied: int = 0, exited: int = 0, zombies: int = 0,
          everything: bool = False) -> ProcessList:
    web = ProcessRow(4242, 1, "app", STARTED, "gunicorn",
                     "gunicorn app:app --bind 0.0.0.0:8000 --workers 4 | tee log", False,
                     (ShownVariable("ANTHROPIC_API_KEY", HINT, True, "3f2a9c0d1b7e4a65"),
                      ShownVariable("ANTHROPIC_BASE_URL", "https://gw.example.com", False,
                                    "0123456789abcdef")))
    job = ProcessRow(4300, 4242, "app", STARTED, "python3",
                     f"python3 job.py --api-key {HINT}", False, (),
                     (CommandSecret(3, "option-value", HINT),))
    return ProcessList((web, job), 2014, {DENIED: denied, EXITED: exited, ZOMBIE: zombies},
                       "proc", everything)


def test_text_table() -> None:
    text = ps_format.render_text(_list(denied=41), ps_format.PsRender(width=None))
    assert text == (
        " PID  USER  STARTED           COMMAND\n"
        "4242  app   2026-12-06 09:14  gunicorn app:app --bind 0.0.0.0:8000 --workers 4 | tee log\n"
        "      ANTHROPIC_API_KEY   " + HINT + "\n"
        "      ANTHROPIC_BASE_URL  https://gw.example.com\n"
        "4300  app   2026-12-06 09:14  python3 job.py --api-key " + HINT + "\n"
        "      EA705 argument 3 is the value of a secret option: " + HINT + "\n"
        "\n"
        "2 processes with provider variables or credentials (2,014 environments read).\n"
        "1 shows a secret in its command line (EA705 key-in-command-line): any user of this "
        "machine can read it with ps; pass it in the environment or a file instead.\n"
        "41 processes could not be read (access denied): run as root or as their user.\n")


def test_commands_are_cut_to_the_width() -> None:
    text = ps_format.render_text(_list(), ps_format.PsRender(width=60))
    line = text.splitlines()[1]
    assert len(line) == 60 and line.endswith("…")
    assert text.splitlines()[2].startswith("      ANTHROPIC_API_KEY")  # variables are whole


def test_quiet_is_the_table_alone_and_verbose_counts_what_was_skipped() -> None:
    plist = _list(denied=1, exited=2, zombies=1)
    quiet = ps_format.render_text(plist, ps_format.PsRender(quiet=True))
    assert quiet.splitlines()[-1].startswith("      EA705")
    verbose = ps_format.render_text(plist, ps_format.PsRender(verbose=True))
    assert verbose.splitlines()[-2:] == [
        "1 process could not be read (access denied): run as root or as their user.",
        "Skipped: 2 processes that exited while read, 1 zombie."]


def test_nothing_found() -> None:
    empty = ProcessList((), 1, {DENIED: 0, EXITED: 0, ZOMBIE: 0}, "proc")
    assert ps_format.render_text(empty, ps_format.PsRender()) == \
        "No process holds provider variables (1 environment read).\n"
    assert ps_format.exit_code(empty, "error") == 0


def test_all_counts_those_with_provider_variables() -> None:
    text = ps_format.render_text(_list(everything=True), ps_format.PsRender())
    assert "2 processes (2,014 environments read), 1 with provider variables." in text


def test_json_document() -> None:
    doc = json.loads(ps_format.render_json(_list(zombies=1)))
    assert list(doc) == ["schema_version", "tool", "processes", "unreadable", "summary"]
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "envaudit"
    web = doc["processes"][0]
    assert list(web) == ["pid", "ppid", "user", "started", "name", "command",
                         "command_truncated", "variables", "command_secrets"]
    assert web["started"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(STARTED))
    assert web["variables"][0] == {"name": "ANTHROPIC_API_KEY", "shown": HINT, "secret": True,
                                   "value_fp": "3f2a9c0d1b7e4a65"}
    assert doc["processes"][1]["command_secrets"] == [
        {"index": 3, "kind": "option-value", "hint": HINT}]
    assert doc["unreadable"] == {"access_denied": 0, "exited": 0, "zombie": 1}
    assert doc["summary"] == {"listed": 2, "read": 2014, "with_provider_variables": 1,
                              "command_line_secrets": 1}


def test_markdown_escapes_table_cells() -> None:
    md = ps_format.render_markdown(_list())
    row = next(line for line in md.splitlines() if line.startswith("| 4242 "))
    assert "`gunicorn app:app --bind 0.0.0.0:8000 --workers 4 \\| tee log`" in row
    assert row.count(" | ") == 4  # five cells: the command's pipe is escaped
    assert "`ANTHROPIC_API_KEY` `" + HINT + "`<br>" in row


@pytest.mark.parametrize("fail_on, code", [("error", 1), ("warning", 1), ("info", 1),
                                           ("never", 0)])
def test_exit_code(fail_on: str, code: int) -> None:
    assert ps_format.exit_code(_list(), fail_on) == code
