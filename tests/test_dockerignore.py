"""``envaudit.dockerignore``: docker's build-context exclusion rules."""

from __future__ import annotations

import pytest

from envaudit.dockerignore import excluded


@pytest.mark.parametrize(("path", "patterns", "expected"), [
    (".env", (".env",), True),
    ("apps/api/.env", (".env",), False),          # relative to the context root only
    ("apps/api/.env", ("**/.env",), True),
    ("apps/api/.env", ("apps/*/.env",), True),
    (".env.local", (".env*",), True),
    (".env", ("*", "!.env"), False),               # re-included: the last match wins
    (".env", ("!.env", "*"), True),
    ("secrets/.env", ("secrets",), True),          # a folder excludes what is inside
    ("app.env", ("*.env",), True),
    (".env", ("/.env",), True),                    # a leading slash is dropped
    (".env", ("./.env",), True),                   # paths are cleaned
    ("x/.env", ("**/.env*", "!x/.env"), False),
    (".env", ("# .env",), False),
    (".env", (".en?",), True),
    (".env", (".[e]nv",), True),
    (".env", (".[!e]nv",), False),
    (".env", (), False),
])
def test_excluded(path: str, patterns: tuple[str, ...], expected: bool) -> None:
    assert excluded(path, patterns) is expected
