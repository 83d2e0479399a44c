"""Whether an installed version satisfies a declared range: PEP 440 specifiers (pyproject,
requirements), npm ranges (package.json) and Poetry constraints (``^`` / ``~`` as npm reads
them, the rest PEP 440).

Each answer is ``True``, ``False`` or ``None`` (cannot tell: a form not modelled, a pre-release,
a URL or path source, a workspace or git dependency). ``None`` never becomes a finding: EA505
compares only what it can decide. The two grammars are checked against ``packaging`` and npm's
own ``semver`` in the tests (``tests/inventory/test_ranges.py``).
"""

from __future__ import annotations

import re
from typing import Any

from envaudit.inventory.versions import is_prerelease, release_parts, version_key
from envaudit.lazyre import lazy

_OPERATOR = lazy(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*$")

Key = tuple[Any, ...]
"""``versions.version_key(..., "python")``: (epoch, release, pre, post, dev)."""


def _pep440_key(text: str) -> tuple[Key, bool] | None:
    """The shared PEP 440 sort key and whether the version is a pre- or development release."""
    key = version_key(text, "python")
    return (key, is_prerelease(key)) if key is not None else None


def pep440_satisfies(version: str, specifier: str) -> bool | None:
    """``version`` against a comma-separated PEP 440 specifier set (``>=2.0,<3``); an empty
    set admits everything. Pre-release versions are not decided."""
    found = _pep440_key(version)
    if found is None or found[1]:
        return None
    key = found[0]
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        m = _OPERATOR.fullmatch(clause)
        if m is None:
            return None
        op, target = m.groups()
        result = _pep440_clause(version, key, op, target)
        if result is None or not result:
            return result
    return True


def _pep440_clause(version: str, key: Key, op: str, target: str) -> bool | None:
    if op == "===":
        return version.strip().lower() == target.lower()
    if target.endswith(".*"):
        if op not in ("==", "!="):
            return None
        prefix, mine = release_parts(target[:-2]), release_parts(version)
        if prefix is None or mine is None or _pep440_key(target[:-2]) is None:
            return None
        padded = mine + [0] * max(0, len(prefix) - len(mine))
        same = padded[:len(prefix)] == prefix
        return same if op == "==" else not same
    wanted = _pep440_key(target)
    if wanted is None:
        return None
    other = wanted[0]
    if op == "==":
        return key == other
    if op == "!=":
        return key != other
    if op == ">=":
        return key >= other
    if op == "<=":
        return key <= other
    if op == ">":  # not a post-release of the target (PEP 440 exclusive ordering)
        return key > other and not (key[:3] == other[:3] and key[3] >= 0 and other[3] < 0)
    if op == "<":
        return key < other
    # ~=X.Y.Z: >= X.Y.Z and == X.Y.*
    release = release_parts(target)
    if release is None or len(release) < 2:
        return None
    prefix = ".".join(map(str, release[:-1])) + ".*"
    return key >= other and bool(_pep440_clause(version, key, "==", prefix))


def requirement_spec(line: str) -> tuple[str, str] | None:
    """``(name, specifier)`` of a PEP 508 requirement (``anthropic[bedrock]>=0.40; python_version
    >= '3.10'`` -> ``("anthropic", ">=0.40")``): markers are not evaluated; ``None`` for a direct
    reference (``name @ url``) or something that is not a requirement."""
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$", line)
    if m is None:
        return None
    rest = m.group(2).split(";", 1)[0].split("#", 1)[0].strip()
    if rest.startswith("@"):
        return None
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    if rest and not re.match(r"(~=|===|==|!=|<=|>=|<|>)", rest):
        return None
    return m.group(1), rest


# ------------------------------------------------------------------------------------- npm

_NPM_VERSION = lazy(r"v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
_PARTIAL = lazy(r"v?([0-9]+|[xX*])(?:\.([0-9]+|[xX*]))?(?:\.([0-9]+|[xX*]))?"
                      r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
_COMPARATOR = lazy(r"\s*(<=|>=|<|>|=|\^|~>?)?\s*([^\s<>=^~]\S*)")

Triple = tuple[int, int, int]
Bound = tuple[str, Triple]


def _partial(text: str) -> tuple[int | None, int | None, int | None] | None:
    m = _PARTIAL.fullmatch(text)
    if m is None or m.group(4) is not None:
        return None  # a pre-release bound: not modelled

    def part(value: str | None) -> int | None:
        return None if value is None or value in "xX*" else int(value)

    major, minor, patch = part(m.group(1)), part(m.group(2)), part(m.group(3))
    if major is None:
        minor = patch = None
    elif minor is None:
        patch = None
    return major, minor, patch


def _expand(op: str, text: str) -> list[Bound] | None:
    """One comparator as lower/upper bounds (``>=``/``<``/``>``/``<=``) on full versions."""
    found = _partial(text)
    if found is None:
        return None
    major, minor, patch = found
    if major is None:
        return [] if op in ("", "=", ">=", "<=", "^", "~", "~>") else [("<", (0, 0, 0))]
    low = (major, minor or 0, patch or 0)
    if minor is None:
        up = (major + 1, 0, 0)
    elif patch is None:
        up = (major, minor + 1, 0)
    else:
        up = None
    if op in ("", "="):
        return [(">=", low), ("<", up)] if up else [(">=", low), ("<=", low)]
    if op in ("~", "~>"):
        return [(">=", low), ("<", (major + 1, 0, 0) if minor is None else (major, minor + 1, 0))]
    if op == "^":
        if major > 0 or minor is None:
            top = (major + 1, 0, 0)
        elif minor > 0 or patch is None:
            top = (0, minor + 1, 0)
        else:
            top = (0, 0, (patch or 0) + 1)
        return [(">=", low), ("<", top)]
    if op == ">":
        return [(">=", up)] if up else [(">", low)]
    if op == "<":
        return [("<", low)]
    if op == ">=":
        return [(">=", low)]
    if op == "<=":
        return [("<", up)] if up else [("<=", low)]
    return None


def npm_satisfies(version: str, spec: str) -> bool | None:
    """``version`` against an npm range (``^1.10.0``, ``>=0.40 <1``, ``1.x || 2``, ``1 - 2.3``).
    Pre-release versions, pre-release bounds and non-registry specs (tags, ``workspace:``,
    ``file:``, git, URLs, ``npm:`` aliases) are not decided."""
    m = _NPM_VERSION.fullmatch(version.strip())
    if m is None or m.group(4) is not None:
        return None
    mine = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    spec = spec.strip()
    if spec.lower() == "latest" or ":" in spec or "/" in spec:
        return None
    for alternative in spec.split("||"):
        bounds = _npm_set(alternative)
        if bounds is None:
            return None
        if all(_holds(mine, op, edge) for op, edge in bounds):
            return True
    return False


def _npm_set(text: str) -> list[Bound] | None:
    text = text.strip()
    hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", text)
    if hyphen is not None:
        low, high = _expand(">=", hyphen.group(1)), _partial(hyphen.group(2))
        if low is None or high is None:
            return None
        major, minor, patch = high
        if major is None:
            return low
        if minor is None:
            return [*low, ("<", (major + 1, 0, 0))]
        if patch is None:
            return [*low, ("<", (major, minor + 1, 0))]
        return [*low, ("<=", (major, minor, patch))]
    bounds: list[Bound] = []
    text = re.sub(r"(<=|>=|<|>|=|\^|~>?)\s+", r"\1", text)
    at = 0
    for m in _COMPARATOR.finditer(text):
        expanded = _expand(m.group(1) or "", m.group(2))
        if m.start() != at or expanded is None:
            return None  # something between comparators that is none
        bounds += expanded
        at = m.end()
    return bounds if text[at:].strip() == "" else None


def _holds(mine: Triple, op: str, edge: Triple) -> bool:
    return {">=": mine >= edge, ">": mine > edge, "<": mine < edge, "<=": mine <= edge}[op]


def poetry_satisfies(version: str, constraint: str) -> bool | None:
    """A Poetry constraint: ``^`` and ``~`` as npm reads them, ``||`` alternatives, ``,`` or
    space for AND, a bare version for ``==``, the rest PEP 440."""
    answers: list[bool] = []
    for alternative in constraint.split("||"):
        result: bool | None = True
        for clause in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", alternative.strip()):
            clause = clause.strip()
            if not clause or clause == "*":
                continue
            if clause.startswith(("^", "~")) and not clause.startswith("~="):
                answer = npm_satisfies(version, clause)
            elif clause[0].isdigit():
                answer = pep440_satisfies(version, ("==" + clause))
            else:
                answer = pep440_satisfies(version, clause)
            if answer is None:
                return None
            result = result and answer
        answers.append(bool(result))
    return any(answers)
