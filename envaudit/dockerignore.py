"""``.dockerignore`` matching, as docker's build context reads it (moby ``patternmatcher``).

Facts (docs.docker.com "Dockerignore file"): patterns are relative to the context root, a
leading ``/`` is dropped and paths are cleaned; ``*`` matches within a path segment, ``?`` one
character, ``**`` any number of segments; a pattern that matches a folder excludes everything
in it; ``!`` re-includes; the last pattern that matches a path decides.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1:end].replace("\\", "\\\\")
                if body.startswith("^"):
                    body = "!" + body[1:]
                out.append("[" + body.replace("!", "^", 1) + "]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")


def _clean(pattern: str) -> str:
    cleaned = posixpath.normpath(pattern.strip().lstrip("/"))
    return "" if cleaned == "." else cleaned


def excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether the root-relative ``path`` (``/`` separators) is left out of the build context."""
    verdict = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = _clean(raw[1:] if negate else raw)
        if pattern and _regex(pattern).match(path):
            verdict = not negate
    return verdict
