"""Write the rule case files whose bytes an editor or a pre-commit hook would change.

UTF-16, invalid UTF-8, NUL bytes, a 64 KiB line, CRLF line endings, trailing spaces, no-break
and zero-width spaces: these files are written here, byte for byte, and
``tests/rules/test_rule_cases.py::test_binary_case_files_are_current`` fails when the files on
disk differ (a "trailing-whitespace" or "end-of-file" hook, an editor that saves as UTF-8 ...).

    python tests/rules/make_binary_cases.py     # rewrite them

Every fake credential has the real shape (an API key is ``sk-ant-api03-`` + 93 characters of
``[A-Za-z0-9_-]`` + ``AA``) but is spelled with ``FAKE`` / ``EXAMPLE`` runs, so nobody can
mistake it for a live key. The hand-written case files use the same helpers' output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parent / "cases"
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def fill(tag: str, length: int) -> str:
    """``length`` characters of ``FAKE-<tag>-EXAMPLE-0000-`` runs (key alphabet only)."""
    unit = f"FAKE-{tag}-EXAMPLE-0000-"
    text = (unit * (length // len(unit) + 1))[:length]
    assert _ALPHABET.fullmatch(text), tag
    return text


def api_key(tag: str) -> str:
    """A fake Anthropic API key: 108 characters, ``sk-ant-api03-`` ... ``AA``."""
    key = "sk-ant-api03-" + fill(tag, 93) + "AA"
    assert re.fullmatch(r"sk-ant-api03-[A-Za-z0-9_-]{93}AA", key)
    return key


def admin_key(tag: str) -> str:
    """A fake Anthropic Admin API key: 110 characters, ``sk-ant-admin01-`` ... ``AA``."""
    key = "sk-ant-admin01-" + fill(tag, 93) + "AA"
    assert re.fullmatch(r"sk-ant-admin01-[A-Za-z0-9_-]{93}AA", key)
    return key


def oauth_token(tag: str) -> str:
    """A fake Anthropic OAuth access token: ``sk-ant-oat01-`` + 95 characters."""
    token = "sk-ant-oat01-" + fill(tag, 93) + "AA"
    assert len(token) == 108
    return token


def _lines(*lines: str, eol: str = "\n") -> bytes:
    return "".join(line + eol for line in lines).encode("utf-8")


def files() -> dict[str, bytes]:
    """Case-relative path -> exact bytes."""
    out: dict[str, bytes] = {}

    # EA103: a file saved with Windows line endings reads cleanly with both loaders (they drop
    # the CR), so nothing fires.
    key = api_key("CRLF")
    out["EA103/edge-crlf-file/.env"] = _lines(
        "# Saved by Notepad: CRLF line endings", f"ANTHROPIC_API_KEY={key}",
        "ANTHROPIC_MODEL=claude-sonnet-4-6", eol="\r\n")
    out["EA103/edge-crlf-file/docker.env"] = _lines(
        f"ANTHROPIC_API_KEY={key}", "LOG_LEVEL=info", eol="\r\n")
    # EA103: docker --env-file keeps trailing spaces; python-dotenv trims unquoted values.
    out["EA103/edge-docker-trailing-spaces/docker.env"] = _lines(
        "# docker run --env-file docker.env acme/summarizer",
        f"ANTHROPIC_API_KEY={api_key('TRAILING')}   ", "LOG_LEVEL=info")
    # EA103: a NUL byte inside the value (also an EA206 finding for the file).
    out["EA103/edge-nul-in-value/.env"] = (
        b"ANTHROPIC_API_KEY=" + api_key("NUL").encode() + b"\x00\n" + b"LOG_LEVEL=info\n")

    # EA105: docker keeps a trailing no-break space that python-dotenv trims.
    out["EA105/edge-nbsp-docker/docker.env"] = _lines(
        "# pasted from a web page: the key ends with a no-break space",
        f"ANTHROPIC_API_KEY={api_key('NBSP')}\u00a0")
    # EA105: a zero-width space inside the key (invisible in every editor).
    zw = api_key("ZEROWIDTH")
    out["EA105/edge-zero-width/.env"] = _lines(
        "# copied from a chat message", f"ANTHROPIC_API_KEY={zw[:40]}\u200b{zw[40:]}")

    # EA206: PowerShell 5 `Set-Content`/`>` writes UTF-16 LE with a BOM.
    text = "".join(line + "\r\n" for line in (
        f"ANTHROPIC_API_KEY={api_key('UTF16')}", "ANTHROPIC_MODEL=claude-sonnet-4-6"))
    out["EA206/bad/.env"] = ("\ufeff" + text).encode("utf-16-le")
    # EA206: a UTF-8 BOM is fine for every loader.
    out["EA206/good/.env"] = b"\xef\xbb\xbf" + _lines(
        "# Saved by Notepad as 'UTF-8 with BOM'", f"ANTHROPIC_API_KEY={api_key('BOM')}",
        "ANTHROPIC_MODEL=claude-sonnet-4-6")
    # EA206: a Latin-1 editor wrote the comment's umlaut as one byte (0xfc).
    out["EA206/edge-invalid-utf8/.env"] = (
        b"# Zugangsschl\xfcssel f\xfcr die Anthropic-API\n"
        + _lines(f"ANTHROPIC_API_KEY={api_key('LATIN1')}"))
    # EA206: a NUL byte in a value that is not a credential.
    out["EA206/edge-nul/.env"] = (
        _lines(f"ANTHROPIC_API_KEY={api_key('NULFILE')}") + b"APP_NAME=summarizer\x00\n")
    # EA206: a 70,000-byte line (a base64 blob): a warning for python-dotenv, an error for the
    # file given to docker --env-file.
    blob = "QUJD" * 17500
    out["EA206/edge-long-line/.env"] = _lines(
        f"ANTHROPIC_API_KEY={api_key('LONGLINE')}", f"SERVICE_ACCOUNT_JSON_B64={blob}")
    out["EA206/edge-long-line/docker.env"] = _lines(
        f"ANTHROPIC_API_KEY={api_key('LONGLINE')}", f"SERVICE_ACCOUNT_JSON_B64={blob}")
    # EA206: UTF-16 LE without a BOM (`[IO.File]::WriteAllText($p, $t, [Text.Encoding]::Unicode)`
    # writes one; some tools do not).
    out["EA206/edge-utf16-no-bom/.env"] = _lines(
        f"ANTHROPIC_API_KEY={api_key('UTF16NOBOM')}").decode().encode("utf-16-le")
    return out


def write(root: Path = CASES) -> list[Path]:
    """Write every file; return the paths written."""
    written = []
    for rel, data in files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    sys.exit(0)
