"""``envaudit.probe.plan``: the target of ``envaudit probe`` as the installed SDK would send it
(base URL joined as the SDK joins it, proxy and ``NO_PROXY`` as the network model decides, the
trust store, the auth header and ``anthropic-version`` of the SDK's release), and the
credential kept out of it."""

from __future__ import annotations

import os

import pytest
from factories import API_KEY, ROOT, make_file, make_snapshot, venv

from envaudit.context import AuditContext
from envaudit.model import Location, NodeModules, Package, Runtime, Snapshot
from envaudit.probe.plan import endpoint, messages_target, plan, prepare

TOKEN = "sk-ant-oat01-" + "PlanFixtureToken_" * 4


def _ctx(values: dict[str, str], *, process: dict[str, str] | None = None,
         envs: tuple[str, ...] = (), node: str | None = None, node_version: str = "24.1.0"
         ) -> AuditContext:
    """A project whose ``.env`` holds ``values``; ``envs``: packages of a ``.venv``
    (``"anthropic 1.17.0"``); ``node``: the TypeScript SDK's release in ``node_modules``."""
    snap: Snapshot = make_snapshot([make_file(".env", values)], process)
    if envs:
        snap = snap._replace(python_envs=(venv(*envs),))
    if node:
        modules = NodeModules(".", (Package("@anthropic-ai/sdk", node,
                                            "node_modules/@anthropic-ai/sdk"),))
        runtime = Runtime("node", node_version, "node on PATH (/usr/bin/node)",
                          Location("package", "/usr/bin/node"))
        snap = snap._replace(node_modules=(modules,), runtimes=(runtime,))
    return AuditContext(snap)


def test_no_sdk_follows_the_newest_python_release() -> None:
    target, credential = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY}))
    assert target.sdk == "no SDK installed: anthropic 2.17.0 defaults"
    assert target.url == "https://api.anthropic.com/v1/models?limit=1000"
    assert (target.scheme, target.host, target.port) == ("https", "api.anthropic.com", 443)
    assert target.auth_header == "authorization"  # 2.x: the key as Authorization: Bearer
    assert target.anthropic_version == "2026-10-21"
    assert target.ca == "system"  # httpx2 >= 2.3: the OS store
    assert target.credential_variable == "ANTHROPIC_API_KEY (.env:1)"
    assert target.proxy is None and target.blocked is None
    assert credential == API_KEY


def test_the_credential_is_named_never_carried() -> None:
    target, credential = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY}))
    assert credential == API_KEY
    assert API_KEY not in repr(target)
    assert API_KEY[13:40] not in repr(target)
    assert target.credential_hint is not None and target.credential_hint.endswith(
        "chars, fp " + target.credential_hint.rsplit("fp ", 1)[1])


def test_an_installed_1x_release_sends_x_api_key_and_its_version() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY},
                          envs=("anthropic 1.17.0", "httpx2 2.2.0", "certifi 2026.5.20")))
    assert target.sdk == "anthropic 1.17.0 (.venv)"
    assert target.auth_header == "x-api-key"
    assert target.anthropic_version == "2023-06-01"
    assert target.ca == "certifi"  # httpx2 2.0-2.2 still used certifi


def test_a_0x_release_uses_certifi_through_httpx() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY},
                          envs=("anthropic 0.125.0", "httpx 0.28.1")))
    assert (target.auth_header, target.ca) == ("x-api-key", "certifi")


def test_an_unmeasured_release_says_what_is_assumed() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY},
                          envs=("anthropic 3.0.0", "httpx2 3.0.0")))
    assert target.sdk.startswith("anthropic 3.0.0 (.venv) (headers and trust store not "
                                 "measured for this release: anthropic 2.17.0's assumed)")
    assert target.auth_header == "authorization"


def test_the_token_is_sent_as_bearer_when_no_key_is_set() -> None:
    target, credential = plan(_ctx({"ANTHROPIC_AUTH_TOKEN": TOKEN},
                                   envs=("anthropic 1.17.0", "httpx2 2.17.0")))
    assert credential == TOKEN
    assert target.auth_header == "authorization"
    assert target.credential_variable == "ANTHROPIC_AUTH_TOKEN (.env:1)"


@pytest.mark.parametrize(("release", "said"), [
    ("2.17.0", "the SDK sends the key only"),
    ("1.17.0", "the SDK also sends it as Authorization: Bearer, the probe sends the key only"),
])
def test_key_and_token_both_set(release: str, said: str) -> None:
    target, credential = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_AUTH_TOKEN": TOKEN},
                                   envs=(f"anthropic {release}", "httpx2 2.17.0")))
    assert credential == API_KEY
    assert target.credential_variable is not None and said in target.credential_variable


def test_no_credential() -> None:
    target, credential = plan(_ctx({"ANTHROPIC_API_KEY": ""}))  # empty is unset
    assert credential is None
    assert (target.auth_header, target.credential_variable, target.credential_hint) == (
        None, None, None)


def test_python_keeps_white_space_node_trims_it() -> None:
    padded = API_KEY + "\n"
    _, python = plan(_ctx({"ANTHROPIC_API_KEY": padded}))
    assert python == padded
    _, node = plan(_ctx({"ANTHROPIC_API_KEY": padded}, node="1.17.0"))
    assert node == API_KEY


def test_the_process_environment_wins_over_env_files() -> None:
    other = API_KEY.replace("x9AA", "y9AA")
    target, credential = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY},
                                   process={"ANTHROPIC_API_KEY": other}))
    assert credential == other
    assert target.credential_variable == "ANTHROPIC_API_KEY (process environment)"


@pytest.mark.parametrize(("base", "url"), [
    ("https://gw.example.com", "https://gw.example.com/v1/models?limit=1000"),
    ("https://gw.example.com/", "https://gw.example.com/v1/models?limit=1000"),
    ("https://gw.example.com/v1", "https://gw.example.com/v1/v1/models?limit=1000"),
    ("https://gw.example.com/proxy/anthropic",
     "https://gw.example.com/proxy/anthropic/v1/models?limit=1000"),
    ("https://gw.example.com/a?x=1", "https://gw.example.com/a?x=1/v1/models"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/models?limit=1000"),
    ("HTTP://Local.Test:80/up", "http://local.test/up/v1/models?limit=1000"),
    ("http://[::1]:8080/gw", "http://[::1]:8080/gw/v1/models?limit=1000"),
    ("https://user:pw@gw.example.com/x", "https://***@gw.example.com/x/v1/models?limit=1000"),
])
def test_the_url_is_joined_as_the_python_sdk_joins_it(base: str, url: str) -> None:
    end = endpoint("python", base)
    assert end.blocked is None
    assert end.url == url


def test_ipv6_and_userinfo_hosts() -> None:
    end = endpoint("python", "http://[::1]:8080")
    assert (end.host, end.port) == ("::1", 8080)
    trick = endpoint("python", "https://api.anthropic.com@evil.test/")
    assert trick.host == "evil.test"  # the last '@' ends the user information, as in httpx
    assert "api.anthropic.com" not in trick.url


@pytest.mark.parametrize(("base", "why"), [
    ("", "UnsupportedProtocol"),
    ("api.anthropic.com", "UnsupportedProtocol"),
    ("ftp://files.example.com", "UnsupportedProtocol"),
    (" https://api.anthropic.com", "UnsupportedProtocol"),
    ("https://api.anthropic.com\n", "InvalidURL"),
    ("http://127.0.0.1:abc", "Invalid port"),
    ("http://[::1", "closing"),
    ("http://127.0.0.1:70000", "out of range"),
])
def test_base_urls_the_python_sdk_cannot_use_block_the_probe(base: str, why: str) -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": base}))
    assert target.blocked_stage == "url"
    assert target.blocked is not None and why in target.blocked
    assert "\n" not in target.blocked and "\n" not in target.url


def test_node_treats_an_empty_base_url_as_unset() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "ANTHROPIC_BASE_URL": "  "},
                          node="1.17.0"))
    assert target.blocked is None
    assert target.url == "https://api.anthropic.com/v1/models?limit=1000"
    assert target.sdk.startswith("Node 24.1.0 fetch (@anthropic-ai/sdk 1.17.0")
    assert target.ca == "node"


def test_a_proxy_with_credentials() -> None:
    planned = prepare(_ctx({"ANTHROPIC_API_KEY": API_KEY,
                            "HTTPS_PROXY": "http://alice:s3cr%40t-proxy@127.0.0.1:3128"}))
    target = planned.target
    assert target.proxy == "http://alice:***@127.0.0.1:3128"
    assert target.proxy_variable == "HTTPS_PROXY"
    assert planned.proxy_auth == ("alice", "s3cr@t-proxy")  # percent-decoded, as httpx does
    assert "s3cr" not in repr(target)


def test_no_proxy_sends_the_sdk_direct() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://127.0.0.1:3128",
                           "NO_PROXY": "anthropic.com"}))
    assert target.proxy is None
    assert target.proxy_variable == "NO_PROXY entry 'anthropic.com' (direct)"


def test_no_proxy_matches_as_the_sdk_not_as_curl() -> None:
    # '.anthropic.com' covers subdomains only for the SDK (curl and requests take the domain)
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://127.0.0.1:3128",
                           "NO_PROXY": ".api.anthropic.com"}))
    assert target.proxy == "http://127.0.0.1:3128"


def test_a_proxy_variable_only_http_proxy_for_an_https_target_is_not_used() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTP_PROXY": "http://127.0.0.1:3128"}))
    assert target.proxy is None


def test_an_ipv6_range_in_no_proxy_blocks_at_the_proxy_stage() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://127.0.0.1:3128",
                           "NO_PROXY": "fd00::/8"}))
    assert target.blocked_stage == "proxy"
    assert target.blocked is not None and "InvalidURL" in target.blocked


def test_node_ignores_the_proxy_variables_without_node_use_env_proxy() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://127.0.0.1:3128"},
                          node="1.17.0"))
    assert target.proxy is None
    assert target.proxy_variable is not None and "NODE_USE_ENV_PROXY" in target.proxy_variable


def test_ignored_proxy_variables_of_anthropic_0_47() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_API_KEY": API_KEY, "HTTPS_PROXY": "http://127.0.0.1:3128"},
                          envs=("anthropic 0.50.0", "httpx 0.28.1")))
    assert target.proxy is None
    assert target.proxy_variable is not None and "ignored" in target.proxy_variable


def test_ca_variables_replace_the_store() -> None:
    target, _ = plan(_ctx({"SSL_CERT_FILE": "certs/ca.pem"}))
    assert target.ca == os.path.join(ROOT, "certs/ca.pem")
    target, _ = plan(_ctx({"SSL_CERT_DIR": "/etc/corp/certs"}))
    assert target.ca == "/etc/corp/certs/"  # a folder: ends with '/'
    target, _ = plan(_ctx({"SSL_CERT_FILE": "/a.pem", "SSL_CERT_DIR": "/etc/corp/certs"}))
    assert target.ca == "/a.pem"  # SSL_CERT_FILE wins


def test_node_trust_settings() -> None:
    target, _ = plan(_ctx({"NODE_EXTRA_CA_CERTS": "/corp.pem",
                           "NODE_TLS_REJECT_UNAUTHORIZED": "0"}, node="1.17.0"))
    assert (target.ca, target.verify) == ("node:/corp.pem", False)


def test_the_configured_model_and_max_tokens() -> None:
    target, _ = plan(_ctx({"ANTHROPIC_MODEL": "claude-sonnet-4-5", "MODEL": "gpt-5",
                           "ANTHROPIC_MAX_TOKENS": "1024"}))
    assert (target.model, target.max_tokens) == ("claude-sonnet-4-5", "1024")
    target, _ = plan(_ctx({"MODEL": "gpt-5"}))  # another provider's model
    assert target.model is None


def test_messages_target() -> None:
    assert messages_target("/v1/models?limit=1000") == "/v1/messages"
    assert messages_target("/gw/v1/v1/models?limit=1000") == "/gw/v1/v1/messages"
    assert messages_target("/a?x=1/v1/models") == "/a?x=1/v1/messages"
