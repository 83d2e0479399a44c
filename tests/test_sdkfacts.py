"""``envaudit.sdkfacts``: the profile of an installed SDK release, over the version boundaries
research/sdk-facts.md and docs/sdk-facts.md measured; outside them, "not measured"."""

from __future__ import annotations

import pytest
from factories import venv

from envaudit.model import NodeModules, Package, Snapshot
from envaudit.sdkfacts import (
    SdkProfile,
    installed_profiles,
    node_profile,
    profile,
    python_profile,
)

#: What a Python environment holds besides anthropic.
STACK = {"httpx": "0.28.1", "httpx2": "2.17.0", "certifi": "2026.5.20", "truststore": "0.10.5"}


def python(version: str, **packages: str | None) -> SdkProfile:
    found = profile("python", {**STACK, **packages, "anthropic": version})
    assert found is not None
    return found


def node(version: str, **packages: str) -> SdkProfile:
    found = profile("node", {**packages, "@anthropic-ai/sdk": version})
    assert found is not None
    return found


@pytest.mark.parametrize("version, key, api_version", [
    ("0.8.0", "X-Api-Key", "2023-06-01"),
    ("0.125.0", "X-Api-Key", "2023-06-01"),
    ("1.0.0", "X-Api-Key", "2023-06-01"),
    ("1.17.3", "X-Api-Key", "2023-06-01"),
    ("2.0.0", "Authorization: Bearer", "2026-10-21"),
    ("2.17.0", "Authorization: Bearer", "2026-10-21"),
    ("2.0.0rc1", "Authorization: Bearer", "2026-10-21"),
])
def test_python_auth_header_and_api_version(version: str, key: str, api_version: str) -> None:
    p = python(version)
    assert (p.key_header, p.api_version, p.token_header) == (key, api_version,
                                                              "Authorization: Bearer")


@pytest.mark.parametrize("version, stack", [
    ("0.39.0", "httpx 0.28.1 (the client cannot be built: EA502)"),
    ("0.40.0", "httpx 0.28.1"),
    ("0.125.0", "httpx 0.28.1"),
    ("1.0.0", "httpx2 2.17.0"),
    ("2.17.0", "httpx2 2.17.0"),
])
def test_python_http_stack_is_read_from_the_environment(version: str, stack: str) -> None:
    assert python(version).http == stack


def test_python_stack_not_installed_is_said() -> None:
    p = python("2.17.0", httpx2=None)
    assert p.http == "httpx2 (not installed)"
    assert p.ca is None  # the store depends on the httpx2 release


def test_httpx_0_27_with_an_old_sdk_builds_the_client() -> None:
    assert python("0.39.0", httpx="0.27.2").http == "httpx 0.27.2"


@pytest.mark.parametrize("version, state", [
    ("0.40.0", "honoured"), ("0.46.0", "honoured"),
    ("0.47.0", "ignored"), ("0.50.0", "ignored"), ("0.53.0", "ignored"), ("0.53.9", "ignored"),
    ("0.54.0", "honoured"), ("0.125.0", "honoured"), ("1.0.0", "honoured"), ("2.17.0", "honoured"),
])
def test_python_proxy_variables_by_release(version: str, state: str) -> None:
    p = python(version)
    assert p.proxy == state
    assert ("ignored" in (p.proxy_text or "")) == (state == "ignored")


def test_python_no_proxy_matching_differs_between_httpx_and_httpx2() -> None:
    assert "IP ranges" in (python("0.125.0").no_proxy or "")
    assert "host:443" in (python("0.125.0").no_proxy or "")
    assert "IPv4 ranges;" in (python("2.17.0").no_proxy or "")
    assert "host:443" not in (python("0.46.0").no_proxy or "")  # httpx's own: not measured


@pytest.mark.parametrize("version, both", [
    ("0.40.0", None),
    ("0.41.0", "sends only X-Api-Key"),
    ("0.49.0", "sends only X-Api-Key"),
    ("0.50.0", "sends both X-Api-Key and Authorization: Bearer <token>"),
    ("1.17.0", "sends both X-Api-Key and Authorization: Bearer <token>"),
])
def test_python_key_and_token_both_set(version: str, both: str | None) -> None:
    assert python(version).both == both
    assert (python("2.17.0").both or "").startswith("sends only the key (Authorization: Bearer)")


@pytest.mark.parametrize("sdk, httpx2, store", [
    ("0.125.0", "2.17.0", "certifi"),  # 0.x uses httpx, whatever httpx2 is there
    ("1.0.0", "2.0.0", "certifi"),
    ("1.0.0", "2.2.9", "certifi"),
    ("1.0.0", "2.3.0", "system"),
    ("2.17.0", "2.17.0", "system"),
    ("2.17.0", "2.18.0", None),  # an httpx2 newer than measured
])
def test_python_trust_store_follows_the_http_package(sdk: str, httpx2: str,
                                                     store: str | None) -> None:
    p = python(sdk, httpx2=httpx2)
    assert p.ca_store == store


def test_trust_store_names_the_installed_certifi_or_truststore() -> None:
    assert python("0.125.0").ca == "certifi's bundle (certifi 2026.5.20)"
    assert python("0.125.0", certifi=None).ca == "certifi's bundle (certifi (not installed))"
    assert python("2.17.0").ca == "the OS store (truststore 0.10.5 on macOS/Windows)"


@pytest.mark.parametrize("version", ["0.7.8", "2.18.0", "3.0.0", "not-a-version"])
def test_python_outside_the_measured_releases_is_not_measured(version: str) -> None:
    p = python(version)
    assert p.version == version
    assert (p.http, p.key_header, p.api_version, p.both, p.ca, p.proxy) == (None,) * 6
    assert not p.measured and p.sources == ()
    assert p.measured_range == "0.8.0-2.17.x"


@pytest.mark.parametrize("version, key, api_version, http", [
    ("0.14.0", "X-Api-Key", "2023-06-01", "node-fetch + agentkeepalive (httpAgent option)"),
    ("0.41.0", "X-Api-Key", "2023-06-01", "node-fetch + agentkeepalive (httpAgent option)"),
    ("0.50.1", "X-Api-Key", "2023-06-01", "Node's global fetch"),
    ("0.137.0", "X-Api-Key", "2023-06-01", "Node's global fetch"),
    ("1.0.0", "Authorization: Bearer", "2026-10-21", "Node's global fetch"),
    ("1.10.0", "Authorization: Bearer", "2026-10-21", "Node's global fetch"),
    ("1.17.0", "Authorization: Bearer", "2026-10-21", "Node's global fetch"),
])
def test_node_lines(version: str, key: str, api_version: str, http: str) -> None:
    p = node(version)
    assert (p.key_header, p.api_version, p.http) == (key, api_version, http)
    assert p.ca_store == "node" and "not measured" in (p.ca or "")


def test_node_proxy_needs_node_use_env_proxy_and_node_fetch_is_not_measured() -> None:
    assert node("1.10.0").proxy == "node-env"
    assert "NODE_USE_ENV_PROXY=1" in (node("0.50.1").proxy_text or "")
    assert node("0.41.0").proxy is None
    assert node("1.10.0").both is not None and node("0.137.0").both is None


@pytest.mark.parametrize(("node_version", "proxy"), [
    (None, "node-env"), ("20.20.2", "ignored"), ("22.20.0", "ignored"), ("22.21.0", "node-env"),
    ("23.11.1", "ignored"), ("24.0.0", "node-env"),
])
def test_the_node_on_path_decides_node_use_env_proxy(node_version: str | None,
                                                      proxy: str) -> None:
    from envaudit.model import NodeModules, Package

    modules = NodeModules(".", (Package("@anthropic-ai/sdk", "1.10.0",
                                        "node_modules/@anthropic-ai/sdk"),))
    found = node_profile(modules, node_version)
    assert found is not None and found.proxy == proxy
    assert found.runtime == (f"Node {node_version}" if node_version else None)
    if proxy == "ignored":
        assert f"Node {node_version}'s fetch reads none" in (found.proxy_text or "")


def test_node_beyond_the_measured_releases_and_undici() -> None:
    p = node("1.18.0")
    assert (p.http, p.key_header, p.proxy, p.ca) == (None,) * 4
    assert p.measured_range == "0.11.0-1.17.x"
    assert node("1.10.0", undici="7.30.2").http == "Node's global fetch; undici 7.30.2 installed"


def test_no_sdk_no_profile() -> None:
    assert profile("python", STACK) is None
    assert profile("node", {"undici": "7.30.2"}) is None


def test_profiles_of_a_snapshot_from_the_inventory_records() -> None:
    env = venv("anthropic 0.50.0", "httpx 0.28.1", "certifi 2025.1.31", python="3.9.18")
    bare = venv("requests 2.34.2", path="/opt/tools", origin="VIRTUAL_ENV")
    modules = NodeModules("apps/web", (
        Package("@anthropic-ai/sdk", "1.10.0", "apps/web/node_modules/@anthropic-ai/sdk"),
        Package("@anthropic-ai/sdk", "0.30.0",
                "apps/web/node_modules/x/node_modules/@anthropic-ai/sdk"),
    ))
    nested_only = NodeModules(".", (Package(
        "@anthropic-ai/sdk", "0.30.0", "node_modules/x/node_modules/@anthropic-ai/sdk"),))
    snap = Snapshot("/p", python_envs=(env, bare), node_modules=(modules, nested_only))
    found = installed_profiles(snap)
    assert [(p.where, p.sdk, p.version) for p in found] == [
        (".venv", "anthropic", "0.50.0"), ("apps/web/node_modules", "@anthropic-ai/sdk", "1.10.0")]
    first = found[0]
    assert (first.origin, first.runtime, first.proxy) == (".venv in the project", "Python 3.9.18",
                                                         "ignored")
    assert python_profile(bare) is None and node_profile(nested_only) is None


def test_same_facts_ignores_the_place_only() -> None:
    a = python_profile(venv("anthropic 2.17.0", "httpx2 2.17.0"))
    b = python_profile(venv("anthropic 2.17.0", "httpx2 2.17.0", path="venv", origin="venv"))
    c = python_profile(venv("anthropic 2.17.0", "httpx2 2.17.0", python="3.11.7"))
    assert a is not None and b is not None and c is not None
    assert a.same_facts(b) and not a.same_facts(c)


def test_json_shape() -> None:
    doc = python("2.17.0").to_json()
    assert list(doc) == ["environment", "origin", "runtime", "sdk", "version", "http", "auth",
                         "ca", "proxy", "measured_range", "sources"]
    assert doc["auth"] == {"api_key": "Authorization: Bearer",
                           "auth_token": "Authorization: Bearer",
                           "anthropic_version": "2026-10-21", "both_set": python("2.17.0").both}
    assert all(s.startswith(("R ", "D", "T", "research/")) for s in doc["sources"])
    assert python("9.0.0").to_json()["auth"]["api_key"] is None
