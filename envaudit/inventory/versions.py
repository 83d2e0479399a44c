"""Version order for the two ecosystems envaudit compares: PEP 440 (Python) and semver (npm).

One sort key per version, shared by the release lookup (``releases``: which release is newer)
and the range evaluator (``ranges``: whether an installed version is inside a declared range).
"""

from __future__ import annotations

import re
from typing import Any

from envaudit.lazyre import lazy

NPM = "npm"

_PEP440 = lazy(
    r"v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>\d+)?)?"
    r"(?:-(?P<post_implicit>\d+)|[-_.]?(?P<post>post|rev|r)[-_.]?(?P<post_n>\d+)?)?"
    r"(?:[-_.]?(?P<dev>dev)[-_.]?(?P<dev_n>\d+)?)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?", re.IGNORECASE)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1}
_SEMVER = lazy(r"[=v]?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
#: The dev number of a release that is not a development release (sorts after every one).
_NO_DEV = 1 << 62
#: The pre-release part of a release that is not a pre-release (sorts after every one).
_FINAL = (9, 0)


def version_key(version: str, ecosystem: str) -> tuple[Any, ...] | None:
    """A sort key for ``version`` (PEP 440 for Python, semver for npm); ``None`` when it is
    neither. Keys of the same ecosystem compare as the ecosystem orders versions."""
    text = version.strip()
    if ecosystem == NPM:
        m = _SEMVER.fullmatch(text)
        if m is None:
            return None
        release = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m.group(4) is None:
            return (release, 1, ())
        ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                    for p in m.group(4).split("."))
        return (release, 0, ids)
    m = _PEP440.fullmatch(text)
    if m is None:
        return None
    parts = [int(p) for p in m.group("release").split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    pre = _FINAL
    if m.group("pre"):
        pre = (_PRE_RANK.get(m.group("pre").lower(), 2), int(m.group("pre_n") or 0))
    if m.group("post_implicit") is not None:
        post = int(m.group("post_implicit"))
    else:
        post = int(m.group("post_n") or 0) if m.group("post") else -1
    dev = _NO_DEV if m.group("dev") is None else int(m.group("dev_n") or 0)
    if m.group("dev") is not None and pre == _FINAL and post < 0:
        pre = (-1, 0)  # 1.0.dev1 comes before 1.0a1
    return (int(m.group("epoch") or 0), tuple(parts), pre, post, dev)


def is_final(version: str, ecosystem: str) -> bool:
    """Neither a pre-release nor a development release (a post-release is final)."""
    key = version_key(version, ecosystem)
    if key is None:
        return False
    if ecosystem == NPM:
        return bool(key[1] == 1)
    return bool(key[2] == _FINAL and key[4] == _NO_DEV)


def release_parts(text: str) -> list[int] | None:
    """The release numbers of a PEP 440 version (``2.17.0rc1`` -> ``[2, 17, 0]``)."""
    m = _PEP440.fullmatch(text.strip())
    return [int(p) for p in m.group("release").split(".")] if m is not None else None


def is_prerelease(key: tuple[Any, ...]) -> bool:
    """Whether a PEP 440 key (``version_key(..., "python")``) is a pre- or development release."""
    return bool(key[2] != _FINAL or key[4] != _NO_DEV)
