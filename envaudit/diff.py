"""``envaudit diff``: compare two or more snapshots, side by side.

Each snapshot is a column. A row is a variable, a package, a runtime, a network route or a
host fact whose cells are not all the same; each row has a kind (``only-in``, ``value``,
``source``, ``loader-outcome``, ``version``, ``route`` …) and a severity that ``--fail-on``
gates on. Findings are compared by fingerprint against the first snapshot (the baseline):
``new`` in a later one, ``resolved`` there. Rules that need several environments
(``envaudit.rules.environments``: EA706) run over the comparison.

Values are compared by fingerprint only: a snapshot holds no secret, and two snapshots made
with the same ``ENVAUDIT_SALT`` fingerprint the same value alike on every machine.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from envaudit.model import Finding, Location, Severity
from envaudit.record import Record
from envaudit.snapshots.load import Loaded

NOT_SET = "(not set)"
NOT_RECORDED = "(not recorded)"
#: The packages whose differences are warnings (the rest are info).
SDK_PACKAGES = frozenset({"anthropic", "@anthropic-ai/sdk"})


class Cell(Record):
    """One snapshot's side of a row."""

    shown: str
    """The value as reports show it (hint for a secret), a version, or ``(not set)``."""
    key: str | None = None
    """What is compared: a fingerprint, a version; ``None`` when not set or not recorded."""
    source: str | None = None
    """Where the value comes from (``.env:3``, ``process``, ``pid 42``, ``.venv``)."""
    recorded: bool = True
    """``False``: the snapshot does not record this (an upgraded report)."""


class Difference(Record):
    """One row that differs."""

    section: str
    """``variables``, ``files``, ``packages``, ``runtimes``, ``network`` or ``host``."""
    subject: str
    """The variable, file, package (``anthropic (python)``), runtime, route or host fact."""
    kind: str
    """``only-in`` (set in some snapshots only), ``value`` (different fingerprints),
    ``source`` (same value from a different winning source), ``loader-outcome`` (a loader ends
    with a different value, or reads a file differently), ``version``, ``route``,
    ``setting``, ``fact``."""
    severity: Severity
    """How much the difference matters (``--fail-on`` gates on it)."""
    cells: tuple[Cell, ...]
    """One per snapshot, in the order given."""
    note: str
    """The difference in words: ``only in dev``, ``different values``."""


class FindingChange(Record):
    """A finding present in one snapshot and not in the baseline, or the reverse."""

    change: str
    """``new`` (in ``label``, not in the baseline) or ``resolved`` (in the baseline, not in
    ``label``)."""
    label: str
    """The snapshot compared with the baseline."""
    finding: dict[str, Any]
    """The finding, as the snapshot holds it (the JSON report's object)."""

    @property
    def severity(self) -> Severity:
        """The finding's severity."""
        return Severity.parse(self.finding.get("severity", "info"))


class Comparison(Record):
    """The outcome of ``envaudit diff``."""

    labels: tuple[str, ...]
    """The snapshots as named on the command line."""
    snapshots: tuple[Loaded, ...]
    """The snapshots, upgraded."""
    differences: tuple[Difference, ...]
    """Every row that differs, by section."""
    same: tuple[str, ...]
    """Variables set alike in every snapshot (same value, same source)."""
    changes: tuple[FindingChange, ...] = ()
    """Findings new or resolved against the first snapshot."""
    findings: tuple[Finding, ...] = ()
    """Findings of the rules that compare environments (EA706)."""
    notes: tuple[str, ...] = ()
    """What limits the comparison (different salts, sections an old snapshot lacks)."""

    def threshold_reached(self, fail_on: str) -> bool:
        """Whether a difference, a new finding or a rule's finding is at or above
        ``fail_on`` (``never``: never)."""
        if fail_on == "never":
            return False
        level = Severity.parse(fail_on)
        return (any(d.severity >= level for d in self.differences)
                or any(c.severity >= level for c in self.changes if c.change == "new")
                or any(f.severity >= level for f in self.findings))

    def counts(self) -> dict[str, int]:
        """Differences per severity label."""
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for d in self.differences:
            out[d.severity.label] += 1
        return out


class VariableFilter(Record):
    """``--only`` / ``--ignore``: shell patterns over variable names (``ANTHROPIC_*``)."""

    only: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __call__(self, name: str) -> bool:
        """Whether the variable is compared."""
        if self.only and not any(fnmatch.fnmatchcase(name, p) for p in self.only):
            return False
        return not any(fnmatch.fnmatchcase(name, p) for p in self.ignore)


# -- helpers ---------------------------------------------------------------------------------


def _recorded(doc: dict[str, Any], member: str) -> bool:
    return member not in doc.get("not_recorded", ()) and doc.get(member) is not None


def _where(location: dict[str, Any]) -> str:
    return Location(location.get("source", "?"), location.get("path"), location.get("line"),
                    location.get("pid")).display()


def _listed(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def is_credential(name: str) -> bool:
    """A variable holding a credential (its value is compared, never shown)."""
    from envaudit.catalogue import credentials
    from envaudit.redact import is_secret_name

    return name in credentials().variables or is_secret_name(name)


def effective(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """The definition the app ends up with: the first loader's winner (the loaders in the
    snapshot's order: the effective table's rule)."""
    if entry is None:
        return None
    for winner in (entry.get("winner") or {}).values():
        if winner is not None:
            return winner  # type: ignore[no-any-return]
    return None


# -- variables -------------------------------------------------------------------------------


def _variable_rows(snaps: Sequence[Loaded], keep: VariableFilter
                   ) -> tuple[list[Difference], list[str]]:
    labels = [s.label for s in snaps]
    tables = [{v["name"]: v for v in s.document["variables"]}
              if _recorded(s.document, "variables") else None for s in snaps]
    names = sorted({n for t in tables if t is not None for n in t if keep(n)})
    out: list[Difference] = []
    same: list[str] = []
    for name in names:
        cells: list[Cell] = []
        for table in tables:
            if table is None:
                cells.append(Cell(NOT_RECORDED, recorded=False))
                continue
            winner = effective(table.get(name))
            if winner is None:
                cells.append(Cell(NOT_SET))
            else:
                cells.append(Cell(winner["shown"], winner["value_fp"] or "",
                                  _where(winner["location"])))
        known = [c for c in cells if c.recorded]
        credential = is_credential(name)
        set_in = [labels[i] for i, c in enumerate(cells) if c.key is not None]
        if len({c.key is None for c in known}) > 1:  # set in some, not in others
            unset = [labels[i] for i, c in enumerate(cells) if c.recorded and c.key is None]
            severity = Severity.ERROR if credential else Severity.WARNING
            out.append(Difference("variables", name, "only-in", severity, tuple(cells),
                                  f"only in {_listed(set_in)}; not set in {_listed(unset)}"))
        elif len({c.key for c in known}) > 1:
            severity = Severity.INFO if credential else Severity.WARNING
            what = "different credentials" if credential else "different values"
            out.append(Difference("variables", name, "value", severity, tuple(cells), what))
        elif not set_in:
            continue
        else:
            outcome = _loader_outcome(name, tables, labels)
            if outcome is not None:
                out.append(Difference("variables", name, "loader-outcome", Severity.WARNING,
                                      tuple(cells), outcome))
            elif len({c.source for c in known}) > 1:
                out.append(Difference("variables", name, "source", Severity.INFO, tuple(cells),
                                      "same value, from different sources"))
            else:
                same.append(name)
    return out, same


def _loader_outcome(name: str, tables: Sequence[dict[str, Any] | None],
                    labels: Sequence[str]) -> str | None:
    """``node-dotenv gets a different value in prod``: a loader that every snapshot uses and
    that ends with different values while the effective ones agree."""
    winners = [(t.get(name) or {}).get("winner") or {} for t in tables if t is not None]
    if len(winners) < 2:
        return None
    common = [ld for ld in winners[0] if all(ld in w for w in winners[1:])]
    for loader in common:
        keys = [None if w[loader] is None else w[loader]["value_fp"] for w in winners]
        if len(set(keys)) > 1:
            return f"{loader} ends with different values"
    return None


def _file_rows(snaps: Sequence[Loaded]) -> list[Difference]:
    """A loader that reads a file in one snapshot and rejects it in another."""
    docs = [s.document for s in snaps]
    if not all(_recorded(d, "files") for d in docs):
        return []
    tables = [{f["path"]: f for f in d["files"]} for d in docs]
    out = []
    for path in sorted({p for t in tables for p in t}):
        readings = [t[path]["readings"] if path in t else None for t in tables]
        present = [r for r in readings if r is not None]
        loaders = sorted({ld for r in present for ld in r})
        for loader in loaders:
            states = [None if r is None else r.get(loader) for r in readings]
            known = {s for s in states if s is not None}
            if len(known) > 1:
                cells = tuple(Cell(s or "(not read)", s) for s in states)
                rejects = [snaps[i].label for i, s in enumerate(states) if s == "file-rejected"]
                out.append(Difference("files", f"{path} ({loader})", "loader-outcome",
                                      Severity.WARNING, cells,
                                      f"{loader} rejects it in {_listed(rejects)}"))
    return out


# -- packages, runtimes ----------------------------------------------------------------------


def _versions(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, list[str]]]:
    """``(ecosystem, package) -> {version: [where, …]}``."""
    out: dict[tuple[str, str], dict[str, list[str]]] = {}
    packages = doc["packages"]
    for env in packages["python"]:
        for p in env["packages"]:
            out.setdefault(("python", p["name"]), {}).setdefault(
                p["version"] or "?", []).append(env["path"])
    for modules in packages["node"]:
        for p in modules["packages"]:
            out.setdefault(("npm", p["name"]), {}).setdefault(
                p["version"] or "?", []).append(os.path.dirname(p["path"]) or modules["folder"])
    return out


def _version_cell(found: dict[str, list[str]] | None) -> Cell:
    if not found:
        return Cell("(not installed)")
    ordered = sorted(found, key=_version_key)
    where = sorted({w for places in found.values() for w in places})
    more = f" +{len(where) - 1}" if len(where) > 1 else ""
    return Cell(", ".join(ordered), "|".join(ordered), where[0] + more if where else None)


def _version_key(version: str) -> tuple[Any, ...]:
    from envaudit.inventory.versions import release_parts

    parts = release_parts(version)
    return (0, parts, version) if parts else (1, (), version)


def _package_rows(snaps: Sequence[Loaded]) -> list[Difference]:
    docs = [s.document for s in snaps]
    if sum(_recorded(d, "packages") for d in docs) < 2:
        return []
    tables = [_versions(d) if _recorded(d, "packages") else None for d in docs]
    out = []
    for ecosystem, name in sorted({k for t in tables if t is not None for k in t}):
        cells = tuple(Cell(NOT_RECORDED, recorded=False) if t is None
                      else _version_cell(t.get((ecosystem, name))) for t in tables)
        keys = {c.key for c in cells if c.recorded}
        if len(keys) < 2:
            continue
        severity = Severity.WARNING if name in SDK_PACKAGES else Severity.INFO
        kind = "only-in" if None in keys else "version"
        note = ("installed in " + _listed([snaps[i].label for i, c in enumerate(cells)
                                           if c.key is not None]) + " only"
                if kind == "only-in" else "different versions")
        out.append(Difference("packages", f"{name} ({ecosystem})", kind, severity, cells, note))
    return out


def _runtime_versions(doc: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for env in (doc.get("packages") or {}).get("python", ()):
        if env.get("python"):
            out.setdefault("python", set()).add(env["python"])
    for runtime in doc.get("runtimes") or ():
        if runtime["kind"] == "node" and "PATH" in runtime["source"]:
            out.setdefault("node", set()).add(runtime["version"])
    return out


def _runtime_rows(snaps: Sequence[Loaded]) -> list[Difference]:
    docs = [s.document for s in snaps]
    if sum(_recorded(d, "runtimes") for d in docs) < 2:
        return []
    tables = [_runtime_versions(d) if _recorded(d, "runtimes") else None for d in docs]
    out = []
    for kind in sorted({k for t in tables if t is not None for k in t}):
        cells = []
        for t in tables:
            if t is None:
                cells.append(Cell(NOT_RECORDED, recorded=False))
                continue
            found = sorted(t.get(kind, ()), key=_version_key)
            cells.append(Cell(", ".join(found) or NOT_SET, "|".join(found) or None))
        if len({c.key for c in cells if c.recorded}) > 1:
            out.append(Difference("runtimes", "Node.js" if kind == "node" else "Python",
                                  "version", Severity.INFO, tuple(cells), "different versions"))
    return out


# -- network, host ---------------------------------------------------------------------------


def _route_text(route: dict[str, Any]) -> str:
    if route.get("error"):
        return f"fails: {route['error']}"
    target = route.get("target") or "?"
    if route.get("proxy"):
        return f"via {route['proxy']} to {target}"
    return f"{route.get('route', 'direct')} to {target}"


def _network_rows(snaps: Sequence[Loaded]) -> list[Difference]:
    """Each kind of client's route to the API (direct, through which proxy, to which URL, or
    failing). The proxy and CA variables behind a route are rows of the variables table."""
    docs = [s.document for s in snaps]
    networks = [d.get("network") for d in docs]
    if sum(n is not None for n in networks) < 2:
        return []
    out = []
    routes: list[dict[str, set[str]] | None] = []
    for n in networks:
        if n is None:
            routes.append(None)
            continue
        table: dict[str, set[str]] = {}
        for r in n.get("routes", ()):
            table.setdefault(r["kind"], set()).add(_route_text(r))
        routes.append(table)
    for kind in sorted({k for t in routes if t is not None for k in t}):
        cells = tuple(Cell(NOT_RECORDED, recorded=False) if t is None
                      else Cell("; ".join(sorted(t.get(kind, ()))) or "(no client)",
                                "|".join(sorted(t.get(kind, ()))) or None) for t in routes)
        if len({c.key for c in cells if c.recorded}) > 1:
            out.append(Difference("network", f"{kind} route", "route", Severity.WARNING, cells,
                                  "the route to the API differs"))
    return out


_HOST_FACTS = (("system", "OS"), ("distribution", "distribution"), ("container", "container"),
               ("python", "envaudit's Python"), ("envaudit", "envaudit version"))


def _host_rows(snaps: Sequence[Loaded]) -> list[Difference]:
    hosts = [s.document.get("host") for s in snaps]
    if sum(h is not None for h in hosts) < 2:
        return []
    out = []
    for key, title in _HOST_FACTS:
        cells = []
        for h in hosts:
            if h is None:
                cells.append(Cell(NOT_RECORDED, recorded=False))
                continue
            value = h.get(key)
            if key == "container":
                value = None if value is None else value.get("kind")
            cells.append(Cell(value or "(none)", value or ""))
        if len({c.key for c in cells if c.recorded}) > 1:
            out.append(Difference("host", title, "fact", Severity.INFO, tuple(cells),
                                  "different"))
    return out


# -- findings --------------------------------------------------------------------------------


def _finding_changes(snaps: Sequence[Loaded], keep: VariableFilter) -> list[FindingChange]:
    def kept(f: dict[str, Any]) -> bool:
        return not f.get("variable") or keep(f["variable"])

    base = {f["fingerprint"]: f for f in snaps[0].document["findings"] if kept(f)}
    out: list[FindingChange] = []
    for snap in snaps[1:]:
        mine = {f["fingerprint"]: f for f in snap.document["findings"] if kept(f)}
        out += [FindingChange("new", snap.label, f) for fp, f in mine.items() if fp not in base]
        out += [FindingChange("resolved", snap.label, f) for fp, f in base.items()
                if fp not in mine]
    return out


def _notes(snaps: Sequence[Loaded]) -> list[str]:
    out = []
    checks = {s.document["fingerprints"]["check"] for s in snaps}
    if len(checks) > 1:
        out.append("the snapshots were made with different ENVAUDIT_SALT values: equal values "
                   "show different fingerprints, so values are compared only within a salt")
    for s in snaps:
        missing = [m for m in s.document.get("not_recorded", ())
                   if m in ("variables", "files", "packages", "runtimes", "network", "host")]
        if missing:
            out.append(f"{s.label} is a version-{s.read_as} document that does not record "
                       f"{_listed(missing)}: those are not compared")
    versions = {s.document["tool"]["version"] for s in snaps}
    if len(versions) > 1:
        out.append(f"made by different envaudit versions ({', '.join(sorted(versions))}): "
                   "findings of rules one version lacks show as new or resolved")
    return out


def compare(snaps: Sequence[Loaded], keep: VariableFilter | None = None,
            rules: Iterable[Any] | None = None) -> Comparison:
    """Compare ``snaps`` (two or more); ``keep``: the ``--only``/``--ignore`` filter;
    ``rules``: the rules to run over the comparison (default: those of
    ``envaudit.rules.environments``, the one module of rules over environments; the
    ``DiffRule`` among ``rules`` run).
    """
    keep = keep or VariableFilter()
    variables, same = _variable_rows(snaps, keep)
    differences = (variables + _file_rows(snaps) + _package_rows(snaps) + _runtime_rows(snaps)
                   + _network_rows(snaps) + _host_rows(snaps))
    comparison = Comparison(
        labels=tuple(s.label for s in snaps), snapshots=tuple(snaps),
        differences=tuple(differences), same=tuple(same),
        changes=tuple(_finding_changes(snaps, keep)), notes=tuple(_notes(snaps)))
    if rules is None:  # the rules over environments alone: the others need not be imported
        from envaudit.rules.environments import RULES

        rules = RULES
    from envaudit.rules.base import DiffRule

    findings = [f for rule in rules if isinstance(rule, DiffRule)
                for f in rule.check_diff(comparison, keep)]
    return comparison._replace(findings=tuple(findings))


def environment_class(name: str | None, known_only: bool = False) -> str | None:
    """The kind of environment a name says (``development``, ``staging``, ``production``,
    ``test``: the first word of the name that is one of their synonyms), else the name itself
    lower-cased (``known_only``: ``None``, for a file name such as ``baseline.json``)."""
    if not name:
        return None
    words = [w for w in _split_words(name.lower()) if w]
    for word in words:
        for kind, synonyms in _CLASSES:
            if word in synonyms:
                return kind
    if known_only:
        return None
    return "-".join(words) or None


def _split_words(text: str) -> Iterator[str]:
    word = []
    for ch in text:
        if ch.isalnum():
            word.append(ch)
        else:
            yield "".join(word)
            word = []
    yield "".join(word)


_CLASSES = (
    ("production", frozenset({"prod", "production", "prd"})),
    ("staging", frozenset({"staging", "stage", "stg", "preprod", "uat", "preview"})),
    ("development", frozenset({"dev", "development", "local", "develop"})),
    ("test", frozenset({"test", "testing", "ci", "qa"})),
)
