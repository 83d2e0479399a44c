"""``envaudit probe --curl``: the curl command that sends what the probe sends, along the same
path, for the user to run and compare; and where curl's own proxy rules would take another
path than the SDK's.

The credential is written as the shell variable (``"$ANTHROPIC_API_KEY"``), never its value;
a proxy URL that carries a password as its variable (``-x "$HTTPS_PROXY"``). curl reads the
proxy variables differently from the SDK (it never reads upper-case ``HTTP_PROXY``, and
matches ``NO_PROXY`` by domain suffix: ``envaudit.network.curl_route``), so the command names
the proxy with ``-x`` and ``--noproxy ''`` when the SDK uses one, and ``--noproxy '*'`` when
the SDK goes direct and curl would not; the notes say where curl alone would differ.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from envaudit.model import ProbeTarget


def _variable(target: ProbeTarget) -> str | None:
    """The credential's variable name (``ANTHROPIC_API_KEY``)."""
    if not target.credential_variable:
        return None
    return target.credential_variable.split(" ", 1)[0]


def _url(target: ProbeTarget) -> str:
    """The URL as curl should request it: the user information is never sent."""
    return target.url.replace("://***@", "://", 1)


def _ca_options(target: ProbeTarget) -> tuple[list[str], list[str]]:
    """curl's trust-store options for the SDK's store, and notes."""
    from envaudit.probe.run import certifi_bundle, os_bundle

    if target.scheme != "https":
        return [], []
    if not target.verify:
        return ["--insecure"], ["-k: the SDK does not verify (NODE_TLS_REJECT_UNAUTHORIZED=0)"]
    ca = target.ca
    if ca == "system":
        cafile, capath = os_bundle()
        if cafile:
            return ["--cacert", cafile], []
        if capath:
            return ["--capath", capath], []
        return [], ["the OS trust store was not found: curl uses its own default"]
    if ca in ("certifi", "node") or ca.startswith("node:"):
        bundle = certifi_bundle()
        notes = []
        if ca.startswith("node:"):
            notes.append(f"Node adds NODE_EXTRA_CA_CERTS ({ca[5:]}) to its CAs; curl takes one "
                         "--cacert: append that file to a copy of the bundle to compare")
        if bundle is None:
            return [], [*notes, "certifi is not installed beside envaudit: curl uses its own "
                                "default store"]
        return ["--cacert", bundle], notes
    if ca.endswith("/"):
        return ["--capath", ca], []
    return ["--cacert", ca], []


def _proxy_options(target: ProbeTarget, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """curl's proxy options for the SDK's route, and where curl alone would differ."""
    from envaudit.network import curl_route
    from envaudit.network import target as api_target

    base = env.get("ANTHROPIC_BASE_URL")
    t = api_target(base) if base is None or "://" in base else None
    own = curl_route(env, t) if t is not None else None
    notes: list[str] = []
    if target.proxy is not None:
        variable = target.proxy_variable or ""
        value = f'"${variable}"' if "***" in target.proxy and variable else shlex.quote(
            target.proxy)
        options = ["-x", value, "--noproxy", "''"]
        if own is not None and own.route != "proxy":
            why = (f"its NO_PROXY matching takes entry {own.bypass!r} to cover the host"
                   if own.bypass else "it never reads upper-case HTTP_PROXY" if variable ==
                   "HTTP_PROXY" else "it reads no proxy variable for this URL")
            notes.append(f"curl alone would go direct ({why}); the SDK goes through "
                         f"{target.proxy} ({variable}): -x above makes curl do the same")
        elif own is not None and own.variable != variable:
            notes.append(f"curl alone would take {own.variable} ({own.proxy}); the SDK takes "
                         f"{variable}")
        if "***" in target.proxy and variable:
            notes.append(f"the proxy URL carries a password: it is read from ${variable} "
                         "(export it first if only the app's files set it)")
        return options, notes
    if own is not None and own.route == "proxy":
        why = (f"the SDK goes direct: {target.proxy_variable}" if target.proxy_variable
               else "the SDK goes direct")
        notes.append(f"curl alone would go through {own.proxy} ({own.variable}), while {why}; "
                     "--noproxy '*' above makes curl go direct like the SDK")
        return ["--noproxy", "'*'"], notes
    return [], notes


def curl_command(target: ProbeTarget, env: Mapping[str, str], *, messages: bool = False,
                 total: float = 15.0) -> str:
    """The curl command (or two, with ``messages``) and its notes, as shell text: ``env`` is
    the app's proxy environment (``network.app_environ``), for curl's own route."""
    if target.blocked:
        return (f"# no request to compare: the SDK sends nothing ({target.blocked_stage}: "
                f"{target.blocked})\n")
    variable = _variable(target)
    headers: list[str] = []
    if variable is not None:
        value = f"${variable}"
        header = ("x-api-key: " if target.auth_header == "x-api-key"
                  else "Authorization: Bearer ") + value
        headers += ["-H", f'"{header}"']
    headers += ["-H", shlex.quote(f"anthropic-version: {target.anthropic_version}")]
    ca, ca_notes = _ca_options(target)
    proxy, proxy_notes = _proxy_options(target, env)
    common = ["curl", "--silent", "--show-error", "--include", "--max-time", f"{total:g}",
              *headers, *[shlex.quote(c) if i % 2 else c for i, c in enumerate(ca)], *proxy]
    url = _url(target)
    globoff = ["--globoff"] if "[" in url else []
    lines = ["# what `envaudit probe` sends, as curl (the credential is read from the shell, "
             "never written here):", _join([*common, *globoff, shlex.quote(url)])]
    if messages:
        from envaudit.probe.plan import messages_target
        from envaudit.probe.run import DEFAULT_MODEL, PROMPT

        rest = url.partition("://")[2]
        cuts = [i for i in (rest.find("/"), rest.find("?")) if i >= 0]
        cut = min(cuts) if cuts else len(rest)
        post = url[:len(url) - len(rest) + cut] + messages_target(rest[cut:])
        body = ('{"model": "' + (target.model or DEFAULT_MODEL) + '", "max_tokens": 1, '
                '"stream": false, "messages": [{"role": "user", "content": "' + PROMPT + '"}]}')
        lines += ["# --messages (costs a token):",
                  _join([*common, *globoff, "-H", "'content-type: application/json'",
                         "--data", shlex.quote(body), shlex.quote(post)])]
    notes = list(ca_notes) + proxy_notes
    if variable is None:
        notes.append("no credential is set: the command sends none (as the probe)")
    elif target.credential_variable and "(process environment)" not in \
            target.credential_variable:
        where = target.credential_variable.split("(", 1)[1].split(")", 1)[0]
        notes.append(f"{variable} comes from {where}, not the shell: load it first, e.g. "
                     f"set -a; . ./{where.rsplit(':', 1)[0]}; set +a")
    if notes:
        lines.append("# notes:")
        lines += [f"# - {note}" for note in notes]
    return "\n".join(lines) + "\n"


def _join(words: list[str]) -> str:
    """``words`` as one command, continued over lines after the first option pairs."""
    out, line = [], words[0]
    i = 1
    while i < len(words):
        word = words[i]
        takes = word in ("-H", "--max-time", "--cacert", "--capath", "-x", "--noproxy",
                         "--data")
        piece = f"{word} {words[i + 1]}" if takes and i + 1 < len(words) else word
        i += 2 if takes else 1
        if len(line) + len(piece) > 88:
            out.append(line + " \\")
            line = "  " + piece
        else:
            line += " " + piece
    out.append(line)
    return "\n".join(out)
