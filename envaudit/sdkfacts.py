"""Sentences about what each SDK line does (``data/sdk_facts.toml``), and the profile of an
installed SDK release (``sdkprofiles.PROFILES``).

``fact`` gives a line's sentence; ``profile`` gives what one installed release does, from the
versions an environment's inventory records. A release outside every measured range of an
aspect is left ``None`` (shown as "not measured"), never extrapolated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from envaudit.catalogue import load_toml
from envaudit.inventory.python_envs import release
from envaudit.record import Record

if TYPE_CHECKING:
    from envaudit.model import NodeModules, PythonEnvironment, Snapshot

#: How a profile's unknown aspect is shown.
NOT_MEASURED = "not measured"
PYTHON_SDK = "anthropic"
NODE_SDK = "@anthropic-ai/sdk"


@cache
def _situations() -> dict[str, dict[str, str]]:
    raw = load_toml(os.path.join(os.path.dirname(__file__), "data", "sdk_facts.toml"))
    return raw["situations"]  # type: ignore[no-any-return]


def fact(situation: str, line: str) -> str:
    """The sentence for ``situation`` on SDK ``line`` (KeyError when the data has none)."""
    return _situations()[situation][line]


class SdkProfile(Record):
    """What one installed SDK release does, from the measured facts (``None``: not measured)."""

    where: str
    """The environment: a Python environment's display path, or ``node_modules`` /
    ``apps/web/node_modules``."""
    origin: str
    """How the environment was found (``.venv in the project``, ``VIRTUAL_ENV``), ``""`` for
    ``node_modules``."""
    runtime: str | None
    """``Python 3.11.7`` when the environment says; ``None`` for Node (envaudit runs no node)."""
    kind: str
    """``python`` or ``node``."""
    sdk: str
    """``anthropic`` or ``@anthropic-ai/sdk``."""
    version: str
    """The installed release, as its metadata says."""
    http: str | None
    """The HTTP stack with its installed version: ``httpx2 2.17.0``, ``Node's global fetch``."""
    key_header: str | None
    """The header carrying ``ANTHROPIC_API_KEY``: ``X-Api-Key`` or ``Authorization: Bearer``."""
    token_header: str | None
    """The header carrying ``ANTHROPIC_AUTH_TOKEN``."""
    api_version: str | None
    """The ``anthropic-version`` header's value."""
    both: str | None
    """What it sends when the key and the token are both set (``sends only X-Api-Key``)."""
    ca_store: str | None
    """``certifi``, ``system`` (the OS store) or ``node``."""
    ca: str | None
    """The trust store in words, with the installed certifi / truststore version."""
    proxy: str | None
    """``honoured``, ``ignored``, or ``node-env`` (only with ``NODE_USE_ENV_PROXY=1``)."""
    proxy_text: str | None
    """Which proxy variables it reads."""
    no_proxy: str | None
    """How it matches ``NO_PROXY`` entries."""
    measured_range: str
    """The releases the facts cover, first to last line (``0.8.0-2.17.x``)."""
    sources: tuple[str, ...] = ()
    """Where each fact comes from (``R §3``: research/sdk-facts.md; ``D``: docs/sdk-facts.md;
    ``T``: the behaviour tests)."""

    @property
    def measured(self) -> bool:
        """Whether every aspect is known for this release."""
        return None not in (self.http, self.key_header, self.api_version, self.ca, self.proxy)

    def same_facts(self, other: SdkProfile) -> bool:
        """The same release, runtime and facts, wherever installed."""
        return self._replace(where="", origin="") == other._replace(where="", origin="")

    def to_json(self) -> dict[str, Any]:
        """The JSON report's ``sdks`` entry (``null``: not measured)."""
        return {
            "environment": self.where, "origin": self.origin, "runtime": self.runtime,
            "sdk": self.sdk, "version": self.version, "http": self.http,
            "auth": {"api_key": self.key_header, "auth_token": self.token_header,
                     "anthropic_version": self.api_version, "both_set": self.both},
            "ca": {"store": self.ca_store, "text": self.ca},
            "proxy": {"state": self.proxy, "variables": self.proxy_text,
                      "no_proxy": self.no_proxy},
            "measured_range": self.measured_range, "sources": list(self.sources),
        }


def _covers(entry: Mapping[str, str], version: tuple[int, ...]) -> bool:
    low = release(entry["from"]) or ()
    high = tuple(int(p) for p in entry["through"].split("."))
    return low <= version and version[:len(high)] <= high


def _entry(table: Mapping[str, Any], aspect: str, version: tuple[int, ...] | None,
           sources: list[str]) -> Mapping[str, str] | None:
    """The entry of ``aspect`` covering ``version`` (its source noted), else ``None``."""
    if version is None:
        return None
    for entry in table.get(aspect, ()):
        if _covers(entry, version):
            if entry["source"] not in sources:
                sources.append(entry["source"])
            return entry  # type: ignore[no-any-return]
    return None


def _span(table: Mapping[str, Any]) -> str:
    """``0.8.0-2.17.x``: the first and last releases any entry of ``table`` covers."""
    entries = [e for aspect in table.values() if isinstance(aspect, tuple) for e in aspect]
    low = min((e["from"] for e in entries), key=lambda v: release(v) or ())
    high = max((e["through"] for e in entries), key=lambda t: tuple(map(int, t.split("."))))
    return f"{low}-{high}.x"


def _installed(name: str, packages: Mapping[str, str | None]) -> str:
    version = packages.get(name)
    return f"{name} {version}" if version else f"{name} (not installed)"


def profile(kind: str, packages: Mapping[str, str | None], where: str = "", origin: str = "",
            runtime: str | None = None) -> SdkProfile | None:
    """What the SDK of an environment does, from its installed packages (name -> version, as
    the inventory read them: ``anthropic``, ``httpx2``, ``certifi`` ... for ``kind`` ``python``;
    ``@anthropic-ai/sdk``, ``undici`` for ``node``). ``None`` when the SDK is not among them.
    """
    from envaudit.sdkprofiles import PROFILES as profiles

    table = profiles[kind]
    version = packages.get(table["sdk"])
    if not version:
        return None
    at = release(version)
    sources: list[str] = []
    stack = _entry(table, "stack", at, sources)
    auth = _entry(table, "auth", at, sources)
    both = _entry(table, "both", at, sources)
    proxy = _entry(table, "proxy", at, sources)
    http: str | None = None
    store: Mapping[str, str] | None = None
    if kind == "python":
        if stack is not None:
            package = stack["package"]
            http = _installed(package, packages)
            store = _entry(profiles[package], "ca", release(packages.get(package)), sources)
            httpx = release(packages.get("httpx")) or ()
            if package == "httpx" and (at or ()) < (0, 40, 0) and httpx >= (0, 28, 0):
                http += " (the client cannot be built: EA502)"
    else:
        if stack is not None:
            http = stack["text"]
            if packages.get("undici"):
                http += f"; undici {packages['undici']} installed"
        store = _entry(table, "ca", at, sources)
    return SdkProfile(
        where=where, origin=origin, runtime=runtime, kind=kind, sdk=table["sdk"],
        version=version, http=http, key_header=_get(auth, "key"),
        token_header=_get(auth, "token"), api_version=_get(auth, "version"),
        both=_get(both, "text"), ca_store=_get(store, "store"),
        ca=None if store is None else _ca_text(store["store"], packages),
        proxy=_get(proxy, "state"), proxy_text=_get(proxy, "text"),
        no_proxy=_get(proxy, "no-proxy"), measured_range=_span(table), sources=tuple(sources))


def _get(entry: Mapping[str, str] | None, key: str) -> str | None:
    return None if entry is None else entry[key]


def _ca_text(store: str, packages: Mapping[str, str | None]) -> str:
    if store == "certifi":
        return f"certifi's bundle ({_installed('certifi', packages)})"
    if store == "system":
        return f"the OS store ({_installed('truststore', packages)} on macOS/Windows)"
    return "Node's CA store; NODE_EXTRA_CA_CERTS adds to it (not measured)"


def python_profile(env: PythonEnvironment) -> SdkProfile | None:
    """The profile of the SDK installed in a Python environment, if any."""
    packages = {p.name: p.version for p in env.packages}
    runtime = f"Python {env.python}" if env.python else None
    return profile("python", packages, env.path, env.origin, runtime)


def node_profile(modules: NodeModules, node: str | None = None) -> SdkProfile | None:
    """The profile of the SDK directly in a folder's ``node_modules`` (nested copies belong to
    other packages), if any; ``node``: the version of the ``node`` on the app's PATH, which
    decides whether ``NODE_USE_ENV_PROXY`` can work (Node >= 22.21 / 24)."""
    packages = {p.name: p.version for p in modules.packages
                if p.path.count("node_modules") == 1 or p.path.endswith(".pnp.cjs")}
    where = modules.shown
    found = profile("node", packages, where, runtime=f"Node {node}" if node else None)
    at = release(node)
    if found is not None and at is not None and found.proxy == "node-env" and (
            at < (22, 21, 0) or at[0] == 23):
        found = found._replace(proxy="ignored", proxy_text=(
            f"HTTP_PROXY, HTTPS_PROXY, NO_PROXY ignored: Node {node}'s fetch reads none "
            "(NODE_USE_ENV_PROXY=1 needs Node >= 22.21 / 24)"))
    return found


def installed_profiles(snapshot: Snapshot) -> list[SdkProfile]:
    """The profile of every environment of the app that has the SDK: its Python environments,
    then its ``node_modules``, in the inventory's order."""
    found = [python_profile(e) for e in snapshot.python_envs]
    node = next((r.version for r in snapshot.runtimes
                 if r.kind == "node" and r.source.startswith("node on PATH")), None)
    found += [node_profile(m, node) for m in snapshot.node_modules]
    return [p for p in found if p is not None]
