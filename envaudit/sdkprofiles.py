"""The version-keyed SDK facts (data only): what an installed release of each SDK does.

``sdkfacts.profile`` reads them for the effective table's SDK lines and the rows worded from
them. Each aspect is a tuple of entries; an entry holds from ``from`` (a release, included)
through ``through`` (a release line, included: ``"2.17"`` is every 2.17.x, ``"0"`` every
0.x). ``through`` is the last line measured or read: a release outside every entry of an aspect
is "not measured" for it, never extrapolated. ``source``: R = research/sdk-facts.md (its
section), D = docs/sdk-facts.md, T = tests/rules/test_sdk_behaviour.py (run on the release the
test extra pins).

NOTE: Python literals rather than a TOML table like ``data/sdk_facts.toml``: tomllib takes
0.7 ms to parse these entries, on every scan that finds the SDK installed; importing this
module from its bytecode takes about 0.1 ms.
"""

from __future__ import annotations

from typing import Any

_BEARER = "Authorization: Bearer"
_BOTH_KEY_ONLY = ("sends only the key (Authorization: Bearer) and logs 'ANTHROPIC_API_KEY and "
                  "ANTHROPIC_AUTH_TOKEN are both set. Using ANTHROPIC_API_KEY.'")
_PYTHON_PROXIES = "HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY (lower case wins)"
_IPV6 = "an IPv6 range raises InvalidURL when the client is built"
#: The TypeScript SDK's proof (tests/rules/test_ts_sdk_behaviour.py).
_TS_PROOF = "T (ran 1.17.0 on Node 20.20.2: tests/rules/test_ts_sdk_behaviour.py)"

PROFILES: dict[str, dict[str, Any]] = {
    "python": {
        "sdk": "anthropic",
        # The HTTP package the SDK imports; its version is read from the same environment.
        "stack": (
            {"from": "0.8.0", "through": "0", "package": "httpx",
             "source": "R §5 (0.39-0.125: httpx<1,>=0.23)"},
            {"from": "1.0.0", "through": "2.17", "package": "httpx2",
             "source": "R §5-6 (1.0.0: httpx2<3,>=2.0.0); D (2.17.0 with httpx2 2.17.0)"},
        ),
        # The header of ANTHROPIC_API_KEY, of ANTHROPIC_AUTH_TOKEN, and anthropic-version.
        "auth": (
            {"from": "0.8.0", "through": "1.17", "key": "X-Api-Key", "token": _BEARER,
             "version": "2023-06-01", "source": "R §3 (0.8.0 ... 1.17.0; ran 0.125.0)"},
            {"from": "2.0.0", "through": "2.17", "key": _BEARER, "token": _BEARER,
             "version": "2026-10-21", "source": "R §3 (2.0.0-2.12.0; ran 2.10.0); T (2.17.0)"},
        ),
        # What is sent when ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are both set.
        "both": (
            {"from": "0.41.0", "through": "0.49", "text": "sends only X-Api-Key",
             "source": "R §1 (both key and token)"},
            {"from": "0.50.0", "through": "1.17",
             "text": "sends both X-Api-Key and Authorization: Bearer <token>",
             "source": "R §1 (ran 0.125.0; changelog 0.50.0)"},
            {"from": "2.0.0", "through": "2.17", "text": _BOTH_KEY_ONLY,
             "source": "R §1 (ran 2.10.0); T (2.17.0)"},
        ),
        # state: honoured | ignored; text: the variables read; no-proxy: how entries match.
        "proxy": (
            {"from": "0.8.0", "through": "0.46", "state": "honoured", "text": _PYTHON_PROXIES,
             "no-proxy": f"a name and its subdomains; not '.x' for x itself, '*.x' or IP "
                         f"ranges; {_IPV6}",
             "source": "R headline 7, §6 (0.46.0 and older honour them), §8 (httpx 0.28.1 "
                       "matrix)"},
            {"from": "0.47.0", "through": "0.53", "state": "ignored",
             "text": "HTTP_PROXY, HTTPS_PROXY and ALL_PROXY ignored: 0.47-0.53 connect "
                     "directly (fixed in 0.54)",
             "no-proxy": "no effect: the proxy variables are ignored",
             "source": "R headline 7, §6 (ran 0.47.0 and 0.53.0)"},
            {"from": "0.54.0", "through": "0", "state": "honoured", "text": _PYTHON_PROXIES,
             "no-proxy": f"a name and its subdomains; not '.x' for x itself, '*.x', IP ranges "
                         f"or host:443; {_IPV6}",
             "source": "R §6 (ran 0.54.0), §8 (anthropic 0.125.0 matrix)"},
            {"from": "1.0.0", "through": "2.17", "state": "honoured", "text": _PYTHON_PROXIES,
             "no-proxy": f"a name and its subdomains, IPv4 ranges; not '.x' for x itself, "
                         f"'*.x' or host:443; {_IPV6}",
             "source": "R §8 (anthropic 2.10.0 matrix); D (the same matrix on 2.17.0)"},
        ),
    },
    # The trust store of the HTTP package, by its own version: certifi's bundle or the OS store
    # (SSL_CERT_FILE, else SSL_CERT_DIR, replaces either).
    "httpx": {
        "ca": (
            {"from": "0.23.0", "through": "0.28", "store": "certifi",
             "source": "R headline 3, §9 (httpx 0.28.1 create_ssl_context; ran with 0.125.0)"},
        ),
    },
    "httpx2": {
        "ca": (
            {"from": "2.0.0", "through": "2.2", "store": "certifi",
             "source": "R §5 (httpx2 2.0.0-2.2.0 used certifi)"},
            {"from": "2.3.0", "through": "2.17", "store": "system",
             "source": "R headline 3, §9 (httpcore2 2.16.2 default_ssl_context); D (2.17.0)"},
        ),
    },
    "node": {
        "sdk": "@anthropic-ai/sdk",
        "stack": (
            {"from": "0.11.0", "through": "0.41", "package": "node-fetch",
             "text": "node-fetch + agentkeepalive (httpAgent option)",
             "source": "R §12 (up to 0.41.0)"},
            # 0.42-0.50.0 were never published.
            {"from": "0.50.1", "through": "1.17", "package": "fetch",
             "text": "Node's global fetch",
             "source": f"R §12 (from 0.50.1; read 1.10.0); {_TS_PROOF}"},
        ),
        "auth": (
            {"from": "0.11.0", "through": "0.137", "key": "X-Api-Key", "token": _BEARER,
             "version": "2023-06-01", "source": "R §12, D6 (0.137.0 still X-Api-Key)"},
            {"from": "1.0.0", "through": "1.17", "key": _BEARER, "token": _BEARER,
             "version": "2026-10-21", "source": f"R §12, D5 (ran 1.10.0); {_TS_PROOF}"},
        ),
        "both": (
            {"from": "1.0.0", "through": "1.17", "text": _BOTH_KEY_ONLY,
             "source": f"R §12 (ran 1.10.0); {_TS_PROOF}"},
        ),
        # node-env: Node's fetch reads the variables only with NODE_USE_ENV_PROXY=1 (Node >=
        # 22.21 / 24). node-fetch (<= 0.41): not measured.
        "proxy": (
            {"from": "0.50.1", "through": "1.17", "state": "node-env",
             "text": "HTTP_PROXY, HTTPS_PROXY, NO_PROXY only with NODE_USE_ENV_PROXY=1 on Node "
                     ">= 22.21 / 24 (lower case wins); ignored otherwise",
             "no-proxy": "Node's own rules, with NODE_USE_ENV_PROXY=1 (not measured)",
             "source": "R headline 10, §12 (ran Node 20.20.2, 22.20.0, 22.21.0, 24.21.0); "
                       + _TS_PROOF},
        ),
        # Not measured for 0.x: which store Node's TLS uses (issue threads say
        # NODE_EXTRA_CA_CERTS adds to it); measured on 1.17.0 / Node 20 (a CA it names is
        # trusted). The profile's text still says "not measured" for every release.
        "ca": (
            {"from": "0.11.0", "through": "1.17", "store": "node",
             "source": "research/anchors.md (anthropic-sdk-typescript#828); not measured for "
                       "0.x; T (1.17.0 on Node 20.20.2: NODE_EXTRA_CA_CERTS adds a CA)"},
        ),
    },
}
