"""``envaudit.source.analyse`` helpers: the compose command lines scripts run."""

from __future__ import annotations

import pytest

from envaudit.source.analyse import _split, compose_command


@pytest.mark.parametrize(("line", "expected"), [
    ("docker compose -f compose.prod.yaml up -d", (("compose.prod.yaml",), None, ())),
    ("docker-compose -f a.yml -f b.yml --env-file .env.prod up",
     (("a.yml", "b.yml"), None, (".env.prod",))),
    ("docker --context prod compose --file=deploy/c.yml --project-directory . up",
     (("deploy/c.yml",), ".", ())),
    ("COMPOSE_PROFILES=web sudo docker compose -p app -f x.yml config", (("x.yml",), None, ())),
    ("docker compose up", None),                 # the default files: read anyway
    ("docker compose -f - up", None),            # stdin
    ("docker run -f x", None),
    ("docker compose -f", None),                 # no value
    ("compose -f x.yml up", None),
])
def test_compose_command(line: str, expected: object) -> None:
    (words,) = _split(line)
    assert compose_command(words) == expected
