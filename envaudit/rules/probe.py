"""EA901-EA918: the verdict of ``envaudit probe`` (``Snapshot.probe``, ``None`` in a scan).

One function, ``classify``, decides which verdict a probe gets: the first stage that failed
(DNS, connect, proxy, TLS, the request and its answer), else the API's answer to
``GET /v1/models``, else the configured model against the models listed and the answer to
``--messages``' request. At most one error or warning verdict per probe; EA917 (the TLS is
intercepted, info) can come on top of it. Each finding names the stage, what the API said
(``error.type``, ``error.message``, ``request-id``), what it means, which exception the SDK
raises for the same outcome, and the fix. Strings from the stages are shown escaped
(``redact.printable``; the probe has already scrubbed and cut what the server said): a finding
stays one line whatever a server sends.

What the SDKs raise for each outcome was measured against the servers of
``tests/probe/doubles.py`` and is stated in docs/sdk-facts.md ("The probe's verdicts and the
SDKs' exceptions"); ``tests/probe/test_sdk_agreement.py`` holds each verdict to the real SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Callable

from envaudit.model import Finding, Location, ProbeResult, ProbeStage, ProbeTarget, Severity
from envaudit.record import Record
from envaudit.redact import printable
from envaudit.rules.base import Rule, RuleMeta

if TYPE_CHECKING:
    from envaudit.context import AuditContext

#: ``Location.source`` of every probe finding.
_SOURCE = "probe"
#: Stage statuses that end a probe.
_FAILED = ("failed", "timeout")
#: The exception anthropic 2.17.0 raises for a status (``_error_classes.ERROR_CLASSES``, the
#: classes without an ``error.details.error_code``); the TypeScript SDK 1.17.0 has the same
#: names (``NotImplementedError`` for 501).
STATUS_ERRORS = {
    400: "BadRequestError", 401: "AuthenticationError", 402: "PaymentRequiredError",
    403: "PermissionDeniedError", 404: "NotFoundError", 408: "RequestTimeoutError",
    409: "ConflictError", 412: "PreconditionFailedError", 413: "ContentTooLargeError",
    422: "UnprocessableEntityError", 429: "RateLimitError",
    431: "RequestHeaderFieldsTooLargeError", 499: "ClientClosedRequestError",
    501: "HTTPNotImplementedError", 503: "ServiceUnavailableError",
    504: "GatewayTimeoutError", 529: "OverloadedError",
}
#: OpenSSL's verification codes, grouped by what they mean to the user.
_UNTRUSTED = frozenset({2, 18, 19, 20, 21, 27, 28})
_EXPIRED = frozenset({9, 10})
_WRONG_NAME = frozenset({62, 64})


def sdk_status_error(status: int) -> str:
    """The exception class anthropic 2.17.0 raises for an HTTP ``status`` >= 400."""
    return STATUS_ERRORS.get(status) or ("InternalServerError" if status >= 500
                                         else "APIStatusError")


class Verdict(Record):
    """What ``classify`` decided about one probe."""

    rule: str
    """The rule that fires (``EA905``)."""
    stage: ProbeStage | None
    """The stage that failed, or the one the answer was read in (``response``,
    ``messages``)."""
    request: str
    """``GET https://…/v1/models?limit=1000`` or ``POST …/v1/messages``."""
    status: int | None = None
    """The HTTP status the verdict is about."""
    error_type: str | None = None
    """The API's ``error.type``."""
    error_message: str | None = None
    """The API's ``error.message`` (scrubbed by the probe)."""
    request_id: str | None = None
    """The ``request-id`` header."""
    sdk_error: str | None = None
    """The exception the Python SDK raises for the same outcome (anthropic 2.17.0), when it
    raises one of its own."""

    def details(self) -> dict[str, object]:
        """The finding's ``details``: the stage, the answer and the SDK's exception."""
        out: dict[str, object] = {"stage": self.stage.name if self.stage else None,
                                  "request": self.request}
        for key in ("status", "error_type", "request_id", "sdk_error"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def failed_stage(result: ProbeResult) -> ProbeStage | None:
    """The first stage of ``GET /v1/models`` that failed or timed out."""
    return next((s for s in result.stages if s.status in _FAILED and s.name != "messages"),
                None)


def _stage(result: ProbeResult, name: str) -> ProbeStage | None:
    return next((s for s in result.stages if s.name == name), None)


def _models_request(target: ProbeTarget) -> str:
    return f"GET {target.url}"


def _messages_request(target: ProbeTarget) -> str:
    url = target.url.partition("?")[0]
    base = url[:-len("/v1/models")] if url.endswith("/v1/models") else url.rsplit("/", 1)[0]
    return f"POST {base}/v1/messages"


def _status_rule(status: int) -> str | None:
    """The rule for an HTTP status (``None``: 2xx)."""
    if 200 <= status < 300:
        return None
    if status < 400:
        return "EA914"
    return {400: "EA908", 401: "EA905", 403: "EA906", 404: "EA907", 429: "EA909"}.get(
        status, "EA910" if status >= 500 else "EA915")


def classify(result: ProbeResult) -> Verdict | None:
    """The one verdict of ``result`` (``None``: the API answered and the model is there)."""
    target = result.target
    request = _models_request(target)
    stage = failed_stage(result)
    if stage is not None:
        at_stage, sdk_error = _stage_rule(target, stage)
        return Verdict(at_stage, stage, request, sdk_error=sdk_error)
    response = _stage(result, "response") or _stage(result, "first-byte")
    if result.status is None:
        skipped = next((s for s in result.stages if s.status == "skipped" and s.detail
                        and "not used" not in s.detail and "no TLS" not in s.detail), None)
        return Verdict("EA918", skipped, request)
    rule = _status_rule(result.status)
    if rule is not None:
        return Verdict(rule, response, request, result.status, result.error_type,
                       result.error_message, result.request_id,
                       sdk_status_error(result.status) if result.status >= 400 else None)
    if result.models is None or (response is not None and response.data.get("truncated")):
        return Verdict("EA913", response, request, result.status, request_id=result.request_id)
    messages = _stage(result, "messages")
    sent = result.messages_status
    if target.model and not listed(target.model, result.models) and not (
            sent is not None and 200 <= sent < 300):
        return Verdict("EA911", response, request, result.status,
                       request_id=result.request_id, sdk_error="NotFoundError")
    if messages is not None and messages.status in _FAILED:
        return Verdict("EA912", messages, _messages_request(target),
                       sdk_error="APITimeoutError" if messages.status == "timeout"
                       else "APIConnectionError")
    if sent is None or 200 <= sent < 300:
        return None
    kind, text = result.messages_error
    rid = messages.data.get("request_id") if messages is not None else None
    post = _messages_request(target)
    if sent == 404 and kind == "not_found_error" and "model" in (text or ""):
        return Verdict("EA911", messages, post, sent, kind, text, rid, "NotFoundError")
    rule = _status_rule(sent) or "EA915"
    return Verdict(rule, messages, post, sent, kind, text, rid,
                   sdk_status_error(sent) if sent >= 400 else None)


def _stage_rule(target: ProbeTarget, stage: ProbeStage) -> tuple[str, str | None]:
    """The rule for a failed stage, and the Python SDK's exception for it."""
    data = stage.data
    timeout = stage.status == "timeout"
    connection = "APITimeoutError" if timeout else "APIConnectionError"
    if stage.name == "url" or (target.blocked and stage.name == target.blocked_stage):
        return "EA916", ("APIConnectionError" if "UnsupportedProtocol" in stage.detail
                         else None)
    if stage.name == "dns":
        return "EA901", connection
    if stage.name == "connect":
        return "EA902", connection
    if stage.name == "proxy":
        if stage.ms is None and "status" not in data and "closed" not in data:
            return "EA916", None  # a proxy URL the probe (and the SDK) cannot use
        return "EA903", connection
    if stage.name == "tls":
        if data.get("store_error"):
            return "EA916", None
        return ("EA912", connection) if timeout else ("EA904", connection)
    if stage.name == "request" and data.get("sent") is False:
        return "EA916", "APIConnectionError"
    if stage.name == "response" and timeout:
        return "EA912", None  # a trickling answer: the SDK's per-read timeout never fires
    return "EA912", connection


def listed(model: str, models: tuple[str, ...]) -> bool:
    """Whether ``model`` is among ``models``, directly or through an alias the bundled
    catalogue knows (``claude-haiku-4-5`` for ``claude-haiku-4-5-20251001`` and back)."""
    if model in models:
        return True
    from envaudit.inventory.models import bundled

    aliases = dict(bundled().aliases)
    return aliases.get(model) in models or any(aliases.get(m) == model for m in models)


# ----------------------------------------------------------------------------- wording


class Said(Record):
    """What a verdict's finding says."""

    message: str
    fix: str | None = None
    """``None``: the rule's default fix."""
    path: str | None = None
    """The location's path (``None``: the URL requested)."""
    severity: Severity | None = None


def _fire(rule: Rule, ctx: AuditContext,
          build: Callable[[Verdict, ProbeResult, AuditContext], Said]) -> Iterator[Finding]:
    """The finding of ``rule`` when ``classify`` names it."""
    result = ctx.snapshot.probe
    if result is None:
        return
    verdict = classify(result)
    if verdict is None or verdict.rule != rule.meta.id:
        return
    said = build(verdict, result, ctx)
    yield rule.finding(printable(said.message),
                       Location(_SOURCE, path=printable(said.path or result.target.url)),
                       fix=printable(said.fix) if said.fix else None, severity=said.severity,
                       details=verdict.details())


def _node(target: ProbeTarget) -> bool:
    return target.sdk.startswith("@anthropic-ai/sdk") or target.ca.startswith("node")


def _step(v: Verdict) -> str:
    """``tls: <what the probe saw>``."""
    if v.stage is None:
        return v.request
    return f"{v.stage.name}: {v.stage.detail}" if v.stage.detail else v.stage.name


def _first(v: Verdict) -> str:
    """``stage: <what the probe saw>``, up to its first ``;`` (the rest is said again)."""
    if v.stage is None:
        return v.request
    return f"{v.stage.name}: {v.stage.detail.split('; ', 1)[0]}"


def store_words(ca: str) -> str:
    """The trust store of ``ProbeTarget.ca`` in words (``SSL_CERT_FILE /etc/ca.pem``)."""
    if ca in ("certifi", "system", "node"):
        return {"certifi": "certifi's bundle", "system": "the OS trust store",
                "node": "Node's own CAs"}[ca]
    if ca.startswith("node:"):
        return f"Node's own CAs and NODE_EXTRA_CA_CERTS {ca[5:]}"
    return f"SSL_CERT_DIR {ca}" if ca.endswith("/") else f"SSL_CERT_FILE {ca}"


def _answered(v: Verdict) -> str:
    """``GET URL answered 401 authentication_error: invalid x-api-key (request-id req_…)``."""
    words = f"{v.request} answered {v.status}"
    if v.error_type:
        words += f" {v.error_type}"
    if v.error_message:
        words += f": {v.error_message!r}"
    if v.request_id:
        words += f" (request-id {v.request_id})"
    return words


def _sent(target: ProbeTarget) -> str:
    """Which credential was sent, and how (never its value)."""
    if target.auth_header is None or target.credential_variable is None:
        return "no credential was sent (none is set)"
    header = "X-Api-Key" if target.auth_header == "x-api-key" else "Authorization: Bearer"
    variable = target.credential_variable.split(";")[0]
    return f"{variable} {target.credential_hint or ''} was sent as {header}".replace("  ", " ")


def _raises(v: Verdict, target: ProbeTarget, what: str = "") -> str:
    """``the SDK raises AuthenticationError (…)``."""
    if v.sdk_error is None:
        return ""
    name = v.sdk_error
    if name == "APITimeoutError" and _node(target):
        name = "APIConnectionTimeoutError"
    elif name == "HTTPNotImplementedError" and _node(target):
        name = "NotImplementedError"
    return f"the SDK raises {name}" + (f" {what}" if what else "")


def _variable_of_proxy(target: ProbeTarget) -> str:
    variable = target.proxy_variable or "HTTPS_PROXY"
    return variable.split(" ")[0]


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# ----------------------------------------------------------------------------- EA901-EA904


def _dns(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    assert v.stage is not None
    host = str(v.stage.data.get("host") or target.host)
    waited = v.stage.status == "timeout"
    if v.stage.data.get("of") == "the proxy":
        variable = _variable_of_proxy(target)
        message = (f"{_step(v)}: the proxy named by {variable} cannot be found, so no request "
                   f"leaves this machine; {_raises(v, target)}, and anthropic 2.17's message "
                   f"names the API host, not the proxy ('Connection to {target.host}:"
                   f"{target.port} failed: …')")
        fix = (f"correct the proxy's host in {variable} (or unset it where no proxy is needed), "
               f"or fix this machine's DNS: `getent hosts {host}` shows what it resolves")
        return Said(message, fix, host)
    if ctx.effective_value("ANTHROPIC_BASE_URL"):
        where = "the host of ANTHROPIC_BASE_URL"
        fix = (f"correct the host in ANTHROPIC_BASE_URL (a typo, or an internal name that "
               f"resolves only on the VPN or inside the cluster: `getent hosts {host}`)")
    else:
        where = "the SDK's default API host"
        fix = ("fix this machine's DNS (resolv.conf, a VPN that is down), or, where the network "
               "reaches the internet only through a proxy, set HTTPS_PROXY")
    slow = (" (the resolver did not answer in time: a DNS server that is unreachable)"
            if waited else "")
    message = (f"{_step(v)}{slow}: {where} cannot be found, so nothing is sent; "
               f"{_raises(v, target)} ('Connection to {host} failed: …') on every request")
    return Said(message, fix, host)


def _connect(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    assert v.stage is not None
    proxied = v.stage.data.get("of") == "the proxy"
    where = (f"the proxy {target.proxy} ({_variable_of_proxy(target)})" if proxied
             else f"{_authority(target.host, target.port)}")
    if v.stage.status == "timeout":
        meaning = (f"nothing answered: a firewall drops the connection to {where}, or the "
                   "address is not reachable from here")
        sdk = _raises(v, target, "(anthropic's connect timeout is 5 s)")
        fix = ("allow outbound TCP to it in the firewall, or go through the proxy the network "
               "requires (HTTPS_PROXY)")
    else:
        meaning = (f"nothing listens at {where}: it is not running, or the port is wrong")
        sdk = _raises(v, target, "('Connection to … failed: [Errno 111] Connection refused')")
        fix = (f"start the {'proxy' if proxied else 'service (a local gateway?)'}, or correct "
               f"the port in {_variable_of_proxy(target) if proxied else 'ANTHROPIC_BASE_URL'}")
    if proxied:
        sdk += "; anthropic 2.17's message names the API host, not the proxy that refused"
    path = target.proxy if proxied and target.proxy else _authority(target.host, target.port)
    return Said(f"{_step(v)}: {meaning}; {sdk}", fix, path)


def _proxy(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    assert v.stage is not None
    data = v.stage.data
    variable = _variable_of_proxy(target)
    tunnel = _authority(target.host, target.port)
    status = data.get("status")
    offers = data.get("authenticate")
    schemes = [str(s) for s in offers] if isinstance(offers, (list, tuple)) else []
    if status == 407:
        if data.get("sent_credentials"):
            meaning = f"the proxy refused the user and password in {variable}"
            fix = (f"correct the user and password in {variable} (percent-encode @ : / # in "
                   "them)")
        else:
            offered = ", ".join(schemes) or "no scheme named"
            meaning = (f"the proxy demands authentication ({offered}) and the proxy URL "
                       "carries no user and password")
            fix = (f"put the proxy's user and password in {variable}: "
                   "http://USER:PASSWORD@HOST:PORT, percent-encoding @ : / # in them")
        if schemes and not any(s.lower() == "basic" for s in schemes):
            meaning += (f"; it offers only {', '.join(schemes)}, which the SDKs cannot answer "
                        "(they send Basic, from the URL)")
            fix = (f"run a local authenticating proxy (cntlm, px) that speaks "
                   f"{'/'.join(schemes)} upstream, and point {variable} at it")
        sdk = _raises(v, target, "('Connection to … failed: 407 Proxy Authentication "
                                 "Required')")
    elif status is not None:
        meaning = f"the proxy's policy refuses tunnels to {tunnel}"
        fix = (f"ask the proxy's administrators to allow CONNECT to {tunnel}, or set NO_PROXY "
               f"for {target.host} where it is reachable directly")
        sdk = _raises(v, target, f"('Connection to … failed: {status} …', a ProxyError)")
    elif v.stage.status == "timeout":
        meaning = ("the proxy accepted the connection but never answered CONNECT: it is hung, "
                   "or it is not an HTTP proxy")
        fix = f"check that {variable} names the proxy's host and port, and that it runs"
        sdk = _raises(v, target)
    elif data.get("closed"):
        meaning = ("the proxy closed the connection mid-CONNECT: it does not tunnel (a reverse "
                   "proxy, or a filter that drops CONNECT), or it expects TLS or SOCKS")
        fix = (f"check that {variable} names the forward proxy the network documents (http://, "
               "its port), and its logs for the refusal")
        sdk = _raises(v, target, "('Connection to … failed: Server disconnected without "
                                 "sending a response.')")
    else:
        meaning = "the proxy answered CONNECT with something that is not HTTP (a SOCKS proxy?)"
        fix = f"use socks5:// in {variable} for a SOCKS proxy, or the HTTP proxy's port"
        sdk = _raises(v, target)
    return Said(f"{_first(v)}: {meaning}; {sdk}", fix, target.proxy or variable)


def _tls(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    assert v.stage is not None
    data = v.stage.data
    code = data.get("verify_code") if isinstance(data.get("verify_code"), int) else None
    issuer = data.get("root") or data.get("issuer")
    node = _node(target)
    store = store_words(target.ca)
    reason = str(data.get("reason") or v.stage.detail)
    said = f"tls: certificate verify failed: {reason}" if code is not None else f"tls: {reason}"
    sdk = _raises(v, target, "('Connection to … failed: [SSL: CERTIFICATE_VERIFY_FAILED] …')"
                  if code is not None else "('Connection to … failed: [SSL: …]' or '[Errno "
                  "104] Connection reset by peer')")
    if code in _EXPIRED:
        until = str(data.get("not_after") or "")[:10]
        meaning = (f"the server's certificate is not valid now (valid to {until or '?'}): it "
                   "expired, or this machine's clock is wrong")
        fix = "renew the server's certificate (a gateway's), or set this machine's clock"
    elif code in _WRONG_NAME:
        subject = data.get("subject")
        meaning = (f"the certificate is for {subject!r}, not for {target.host}: the base URL "
                   "names the server by another name than its certificate's, or something "
                   "else answers on this address")
        fix = ("use the host name the certificate names in ANTHROPIC_BASE_URL, or give the "
               "server a certificate for the name used")
    elif code is not None:
        if data.get("interception"):
            from envaudit.rules.endpoint import is_anthropic

            maybe = "" if is_anthropic(target.host) else (
                f", unless {target.host} is a private server with its own CA")
            meaning = (f"the certificate was issued by {issuer!r}, which is not a public CA: "
                       f"a corporate proxy or a security product re-signs TLS to "
                       f"{target.host}{maybe}; {store} does not trust that CA")
        elif issuer:
            meaning = (f"the certificate was issued by {issuer!r}, a private CA that {store} "
                       "does not trust")
        else:
            meaning = f"the server's certificate chain does not lead to a CA {store} trusts"
        if node:
            fix = (f"NODE_EXTRA_CA_CERTS=<the PEM file of {issuer or 'that CA'}> for the app "
                   "(Node adds it to its own CAs)")
        else:
            fix = (f"SSL_CERT_FILE=<a PEM bundle holding the public CAs and {issuer or 'that CA'}>"
                   ": it replaces the SDK's store, so append the CA to a copy of the OS bundle "
                   "(REQUESTS_CA_BUNDLE is ignored by the SDK)")
    else:
        if "reset" in reason:
            meaning = f"a firewall or filter that kills TLS to {target.host}?"
            fix = (f"ask the network's administrators whether TLS to {target.host} is blocked, "
                   "or go through the proxy the network requires")
        elif "does not speak TLS" in reason or "WRONG_VERSION" in reason:
            meaning = ("an https:// URL for a plain-HTTP port, or for another service")
            fix = ("use http:// for a plain-HTTP gateway on this machine (never for a remote "
                   "host), or the port that speaks TLS")
        else:
            meaning = "the TLS handshake failed (a protocol or cipher the two ends do not share)"
            fix = "check the server's TLS configuration (a TLS 1.2+ server is needed)"
    return Said(f"{said}: {meaning}; {sdk}", fix)


# ----------------------------------------------------------------------------- EA905-EA911


def _auth(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    sent = _sent(target)
    if target.auth_header is None:
        meaning = "no credential is set, so the request went without one"
        fix = "set ANTHROPIC_API_KEY (a key from the Console: Settings > API keys)"
    else:
        meaning = ("the API does not accept it: the key is wrong, revoked or deleted, or of "
                   "the wrong kind (an Admin key or an OAuth token in ANTHROPIC_API_KEY)")
        variable = (target.credential_variable or "ANTHROPIC_API_KEY").split(" ")[0]
        fix = (f"create a key in the Console (Settings > API keys), set {variable} to it in "
               "the place the app loads it from, and restart the app")
        from envaudit.rules.endpoint import is_anthropic

        if target.auth_header == "authorization" and not is_anthropic(target.host):
            meaning += ("; or the gateway expects the key in X-Api-Key, and anthropic >= 2.0 "
                        "sends Authorization: Bearer (EA509)")
    return Said(f"{_answered(v)}: {sent}; {meaning}; {_raises(v, target)}", fix)


def _forbidden(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    message = (f"{_answered(v)}: the key is valid but not allowed this: its workspace or "
               "organisation lacks access to the resource or model, the organisation is "
               "disabled, or a gateway's policy refuses it; "
               f"{_sent(target)}; {_raises(v, target)}")
    return Said(message)


def _not_found(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    from envaudit.rules.endpoint import split

    path = split(v.request.split(" ", 1)[1]).path
    suffix = "/v1/messages" if v.request.startswith("POST") else "/v1/models"
    prefix = path[:-len(suffix)] if path.endswith(suffix) else path
    if prefix.endswith("/v1"):
        meaning = (f"the base URL ends in /v1, so the SDK requests {path}: the base URL must "
                   "stop before /v1 (EA601)")
        fix = f"remove /v1 from the end of ANTHROPIC_BASE_URL ({prefix[:-3] or '/'})"
    elif prefix:
        meaning = (f"nothing answers under the base URL's path {prefix!r}: a gateway's API "
                   "lives under another path, or the base URL names a web page")
        fix = ("set ANTHROPIC_BASE_URL to the gateway's documented API base (the part before "
               "/v1), or to https://api.anthropic.com")
    else:
        meaning = ("the path is the API's own, so the key itself is not found: it is "
                   "disabled or deleted (the API answers 404 for a disabled key)")
        fix = ("check in the Console (Settings > API keys) whether the key is disabled; create "
               "a new one if so")
    return Said(f"{_answered(v)}: {meaning}; {_raises(v, target)}", fix)


def _bad_request(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    text = (v.error_message or "").lower()
    if "credit balance" in text or "billing" in text:
        meaning = "the organisation has no credits left to spend"
        fix = "buy credits or raise the spend limit in the Console (Plans & Billing)"
    elif "max_tokens" in text:
        meaning = f"max_tokens {target.max_tokens or '1'} is refused for this model"
        fix = "lower the max-tokens setting to what the model allows"
    elif "anthropic-version" in text:
        meaning = f"the API refuses anthropic-version {target.anthropic_version}"
        fix = "upgrade the SDK, or send a supported anthropic-version"
    else:
        meaning = "the API refuses the request as written: error.message says what to change"
        fix = None
    return Said(f"{_answered(v)}: {meaning}; {_raises(v, target)}", fix)


def _rate_limited(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    wait = (f"retry after {result.retry_after} s (retry-after)" if result.retry_after
            else "no retry-after header")
    message = (f"{_answered(v)}: the organisation is over a rate limit (requests, input or "
               f"output tokens per minute) or its spend limit: {wait}; {_raises(v, target)} "
               "once its retries are spent (2 by default, honouring retry-after)")
    return Said(message)


def _server_error(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    from envaudit.rules.endpoint import is_anthropic

    if v.status == 529:
        meaning = "the API is overloaded right now"
    elif v.status in (502, 504) and not is_anthropic(target.host):
        meaning = "the gateway could not get an answer from its upstream"
    else:
        meaning = "the failure is on the server's side, not in the request"
    if result.retry_after:
        meaning += f" (retry-after {result.retry_after} s)"
    message = (f"{_answered(v)}: {meaning}; {_raises(v, target)} once its retries are spent "
               "(2 by default)")
    fix = None
    if not is_anthropic(target.host):
        fix = ("retry with backoff; if it persists, read the gateway's logs for this "
               "request-id")
    return Said(message, fix)


def _model(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    model = target.model or ""
    variable = _model_variable(ctx, model)
    models = result.models or ()
    shown = ", ".join(models[:6]) + (f" (+{len(models) - 6} more)" if len(models) > 6 else "")
    import difflib

    near = difflib.get_close_matches(model, list(models), n=1, cutoff=0.6)
    hint = f"; the nearest listed is {near[0]!r}" if near else ""
    if v.stage is not None and v.stage.name == "messages":
        message = (f"{_answered(v)}: the configured model {model!r} ({variable}) is not "
                   f"available to this key{hint}; {_raises(v, target)}")
        return Said(message, _model_fix(variable, near))
    response = _stage(result, "response")
    more = bool(response is not None and response.data.get("has_more"))
    message = (f"{v.request} lists {len(models)} model{'s' if len(models) != 1 else ''} for "
               f"this key ({shown or 'none'}), and the configured model {model!r} "
               f"({variable}) is not among them{hint}: a Messages request with it gets 404 "
               f"not_found_error 'model: {model}'; {_raises(v, target)}")
    if more:
        message += " (the list has more pages, not read: the model may be on one of them)"
    return Said(message, _model_fix(variable, near), severity=Severity.WARNING if more else None)


def _model_fix(variable: str, near: list[str]) -> str:
    return (f"set {variable} to a model this key lists"
            + (f" ({near[0]}?)" if near else "") + "; a gateway may name models its own way")


def _model_variable(ctx: AuditContext, model: str) -> str:
    """The variable that holds the configured model (the first with that value)."""
    from envaudit.rules.models import model_variables

    for name in model_variables(ctx):
        value = ctx.effective_value(name)
        if value is not None and value.strip() == model:
            return name
    return "the model setting"


# ----------------------------------------------------------------------------- EA912-EA918


def _no_answer(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    assert v.stage is not None
    name, timeout = v.stage.name, v.stage.status == "timeout"
    if name == "tls":
        meaning = ("the server accepted the connection but never finished the TLS handshake: "
                   "it does not speak TLS and waits (an https:// URL for a plain-HTTP port), "
                   "or something on the path holds the connection")
    elif name == "response" and timeout:
        meaning = ("the answer started but did not finish in time: a server or gateway that "
                   "trickles bytes")
    elif timeout:
        meaning = ("the request was sent and no answer came: the server or a gateway hangs "
                   "(overloaded, or waiting on its own upstream)")
    elif v.stage.data.get("closed"):
        meaning = ("the server closed the connection without an answer: a gateway or load "
                   "balancer dropping the request, or a service that is not HTTP")
    else:
        meaning = "the server answered with something that is not HTTP"
    sdk = _raises(v, target, "" if timeout else "('… Server disconnected without sending a "
                                                "response.')")
    if name == "response" and timeout:
        sdk = ("the SDK raises nothing and keeps waiting: its timeout bounds each read, not the "
               "answer (measured: anthropic 2.17 with timeout=1 still waiting after 6 s)")
    fix = ("check that ANTHROPIC_BASE_URL names the API's (or the gateway's API) host, port "
           "and scheme, and the gateway's health; on a slow link, raise --timeout")
    return Said(f"{_step(v)}: {meaning}; {sdk}", fix)


def _not_api(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    data = v.stage.data if v.stage is not None else {}
    kind = str(data.get("content_type") or "no content type")
    detail = v.stage.detail if v.stage is not None else ""
    if data.get("truncated"):
        what = f"a body larger than the probe reads ({kind}; {detail})"
    elif data.get("json") is False or "json" not in kind:
        what = f"a page that is not JSON ({kind}; {detail})"
    else:
        what = f"JSON without the API's list of models ('data'; {detail})"
    if "JSON without" in what:
        sdk = ("anthropic 2.17 does not say so: models.list() returns a page whose data is "
               "None, and messages.create() a Message whose fields are all None (measured)")
    else:
        sdk = ("anthropic 2.17 does not say so: models.list() raises AttributeError (''str' "
               "object has no attribute '_set_private_attributes''), and messages.create() "
               "returns the page as a str without raising, so the app fails later with "
               "''str' object has no attribute 'content'' (measured)")
    message = (f"{v.request} answered {v.status} with {what}: this is not the Anthropic API "
               "but a captive portal or login page (hotel or office Wi-Fi, SSO), a gateway's "
               f"web interface, or another service at this URL; {sdk}")
    return Said(message)


def _redirect(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    data = v.stage.data if v.stage is not None else {}
    location = str(data.get("location") or "(no Location header)")
    other = data.get("redirect_other_host")
    message = (f"{_answered(v)} to {location!r}, which the probe does not follow (the "
               "credential goes to no other host). The Python SDK follows redirects: anthropic "
               "2.x drops Authorization, so the key, when the host or port changes, and gets "
               "401 there; anthropic 0.x-1.x send X-Api-Key, which is forwarded: the key goes "
               f"to {location.split('/')[2] if location.count('/') >= 2 else 'that host'} "
               "(measured with 0.125.0); a 301 or 302 also turns the Messages POST into a GET")
    if other:
        message += "; the redirect leads to another host"
    fix = ("set ANTHROPIC_BASE_URL to where the redirect leads (https:// when it upgrades "
           "http://), once you know that host is the API's or your gateway's")
    return Said(message, fix)


def _unexpected(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    target = result.target
    meanings = {
        402: ("billing: the organisation has no valid payment method or cannot pay",
              "add a payment method or credits in the Console (Plans & Billing)"),
        405: ("the method is not allowed here: this URL is not the API", None),
        408: ("the server timed out reading the request", None),
        413: ("the request is too large for the server (a gateway's body limit?)", None),
    }
    meaning, fix = meanings.get(v.status or 0, ("a status the API's documentation does not "
                                                 "list for this request", None))
    return Said(f"{_answered(v)}: {meaning}; {_raises(v, target)}", fix)


def _not_sent(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    assert v.stage is not None
    name = v.stage.name
    path = None
    if name == "url":
        blame = "ANTHROPIC_BASE_URL is at fault (envaudit scan: EA602)"
        fix = "fix ANTHROPIC_BASE_URL: https://HOST[:PORT][/PATH], no white space"
        path = ctx.effective_value("ANTHROPIC_BASE_URL")
    elif name == "proxy":
        blame = "a proxy variable or NO_PROXY is at fault (envaudit scan: EA301, EA309)"
        fix = "fix the proxy variable or the NO_PROXY entry named"
        path = result.target.proxy
    elif name == "tls":
        blame = "SSL_CERT_FILE or SSL_CERT_DIR is at fault (envaudit scan: EA402, EA403)"
        fix = "point SSL_CERT_FILE (or SSL_CERT_DIR) at a readable PEM bundle, or unset it"
    else:
        blame = "the credential's value is at fault (envaudit scan: EA103)"
        fix = "remove the white space or control character from the credential's value"
    return Said(f"{_step(v)}; {blame}", fix, path)


def _incomplete(v: Verdict, result: ProbeResult, ctx: AuditContext) -> Said:
    why = _step(v) if v.stage is not None else "the probe sent nothing"
    message = (f"{why}: the probe could not follow the SDK's path, so the endpoint, the key "
               "and the model were not checked")
    return Said(message, path=result.target.proxy or None)


# ----------------------------------------------------------------------------- the rules


class ProbeDns(Rule):
    """
    ## What it does
    Reports a probe whose first stage failed: the API host (or, behind a proxy, the proxy's
    host) does not resolve, or the resolver did not answer within `--timeout`. The message
    names the host, says which variable names it (`ANTHROPIC_BASE_URL`, the proxy variable,
    or the SDK's default host) and what the SDK raises.

    ## Why is this bad?
    Every request fails before anything is sent: the Python SDK raises `APIConnectionError`
    (`Connection to HOST failed: [Errno -2] Name or service not known`), after two retries by
    default. Behind a proxy, anthropic 2.17's message names the API host even when the proxy's
    name is the one that does not resolve, which sends people looking at the wrong variable.

    ## Example
    `ANTHROPIC_BASE_URL=https://llm-gateway.internal` on a laptop off the VPN, or
    `HTTPS_PROXY=http://proxy.corp:3128` copied from another site.

    ## Use instead
    Correct the host, or run where it resolves (`getent hosts HOST` shows what the resolver
    says); without `ANTHROPIC_BASE_URL`, fix the machine's DNS or set the proxy the network
    requires.

    ## References
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    - RFC 6761 (the `.invalid` names the tests use)
    """

    meta = RuleMeta("EA901", "probe-dns", Severity.ERROR,
                    "the API host (or the proxy host) does not resolve",
                    "correct the host name, or fix this machine's DNS")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The probe's DNS stage failed."""
        yield from _fire(self, ctx, _dns)


class ProbeConnect(Rule):
    """
    ## What it does
    Reports a probe whose TCP connection to the API host (or to the proxy) was refused, or
    not accepted within `--timeout`.

    ## Why is this bad?
    Refused: nothing listens on that port (a local gateway or proxy that is not running, a
    wrong port); the SDK raises `APIConnectionError` (`[Errno 111] Connection refused`).
    Timed out: a firewall drops the packets or the address is unreachable; the SDK raises
    `APITimeoutError` after its connect timeout (5 s). Behind a proxy, anthropic 2.17's
    message names the API host, not the proxy that refused.

    ## Example
    `ANTHROPIC_BASE_URL=http://localhost:4000` with the gateway stopped; `HTTPS_PROXY` naming
    a proxy port that is closed.

    ## Use instead
    Start the service or correct the port; where outbound connections are filtered, allow the
    API host or go through the network's proxy.

    ## References
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA902", "probe-connect", Severity.ERROR,
                    "TCP connect refused or timed out",
                    "start the service or correct the port; allow the host in the firewall")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The probe's connect stage failed."""
        yield from _fire(self, ctx, _connect)


class ProbeProxy(Rule):
    """
    ## What it does
    Reports a proxy that did not open the tunnel (`CONNECT host:443`): it demanded
    authentication (407: which schemes it offers, whether the proxy URL carried a user and
    password), refused by policy (403), closed the connection mid-`CONNECT`, never answered,
    or answered something that is not HTTP.

    ## Why is this bad?
    No request reaches the API. The Python SDK raises `APIConnectionError`
    (`Connection to … failed: 407 Proxy Authentication Required` for a `ProxyError`, `Server
    disconnected without sending a response.` when the proxy closes), or `APITimeoutError`.
    The SDKs answer a 407 only with Basic credentials taken from the proxy URL: a proxy that
    offers only Negotiate or NTLM cannot be passed at all.

    ## Example
    `HTTPS_PROXY=http://proxy.corp:3128` where the proxy wants a login, or a proxy whose ACL
    allows CONNECT only to an allow-list of hosts.

    ## Use instead
    `HTTPS_PROXY=http://USER:PASSWORD@proxy.corp:3128` (percent-encode `@ : / #`), a local
    authenticating proxy (cntlm, px) for Negotiate/NTLM, or an allow-list entry for the API
    host.

    ## References
    - RFC 9110 §9.3.6 (CONNECT), §15.5.8 (407 Proxy Authentication Required)
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA903", "probe-proxy", Severity.ERROR,
                    "the proxy refused CONNECT (incl. 407 proxy authentication)",
                    "give the proxy its credentials in the proxy URL, or have the API host "
                    "allowed")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The probe's proxy stage failed."""
        yield from _fire(self, ctx, _proxy)


class ProbeTls(Rule):
    """
    ## What it does
    Reports a TLS handshake that failed with the trust store the SDK would use
    (`SSL_CERT_FILE`, the OS store, certifi, Node's CAs plus `NODE_EXTRA_CA_CERTS`): a chain
    that leads to no trusted CA, a certificate for another name, an expired one, a server that
    does not speak TLS on that port, a reset. It names the certificate's issuer, and says when
    that issuer is not a public CA on a path where it should be (Anthropic's host, or behind a
    proxy): TLS interception.

    ## Why is this bad?
    Every request fails: the Python SDK raises `APIConnectionError` (`[SSL:
    CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer
    certificate`), the TypeScript SDK `APIConnectionError` (cause `fetch failed`,
    `UNABLE_TO_VERIFY_LEAF_SIGNATURE`). Behind an intercepting proxy the fix is to trust its
    CA the way each runtime reads it, not to turn verification off.

    ## Example
    A corporate proxy re-signs TLS with "Corp Root CA", which the OS store has and
    `SSL_CERT_FILE=/etc/app/ca.pem` (the proxy's CA only, or the public CAs only) does not.

    ## Use instead
    Python: `SSL_CERT_FILE` naming a bundle that holds the public CAs and the interception CA
    (it replaces the store; `REQUESTS_CA_BUNDLE` is ignored). Node: `NODE_EXTRA_CA_CERTS`
    naming the interception CA. For a wrong name or an expired certificate, fix the server.

    ## References
    - docs/sdk-facts.md: "CA files and TLS switches", "The probe's verdicts and the SDKs'
      exceptions"
    - OpenSSL `X509_verify_cert_error_string` (the reasons quoted)
    """

    meta = RuleMeta("EA904", "probe-tls", Severity.ERROR,
                    "TLS failed: verification, hostname, protocol; names the issuer when it is "
                    "not a public CA (interception)",
                    "trust the CA that signs the server's certificate the way the SDK reads "
                    "it, or fix the server's certificate")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The probe's TLS stage failed."""
        yield from _fire(self, ctx, _tls)


class ProbeAuth(Rule):
    """
    ## What it does
    Reports `401 authentication_error` from `GET /v1/models`: the API did not accept the
    credential. The message says which variable was sent, its hint and in which header
    (`X-Api-Key` or `Authorization: Bearer`, as the installed SDK sends it), and the API's
    `error.message` and `request-id`.

    ## Why is this bad?
    Every request fails with `AuthenticationError` (`401 invalid x-api-key`): the key is
    wrong, revoked or deleted, or of the wrong kind (an Admin key, an OAuth token). Behind a
    gateway it can also mean the gateway expects `X-Api-Key` while anthropic >= 2.0 sends
    `Authorization: Bearer`.

    ## Example
    `ANTHROPIC_API_KEY` still holds the key that was rotated last week.

    ## Use instead
    Create a key in the Console (Settings > API keys), set it where the app loads it from,
    restart the app (EA801 finds processes still holding the old one).

    ## References
    - Anthropic API errors: 401 `authentication_error`
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA905", "probe-auth", Severity.ERROR,
                    "401: the key is invalid, revoked or of the wrong kind",
                    "create a new key in the Console and set it where the app loads it from")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 401."""
        yield from _fire(self, ctx, _auth)


class ProbeForbidden(Rule):
    """
    ## What it does
    Reports `403 permission_error`: the API (or a gateway) accepted the credential but does
    not allow it this request.

    ## Why is this bad?
    Every such request fails with `PermissionDeniedError`: the key's workspace or
    organisation lacks access to the resource or the model, the organisation is disabled, or a
    gateway's policy refuses the caller.

    ## Example
    A key created in a workspace whose model access excludes the model the app uses.

    ## Use instead
    Check the key's workspace and organisation in the Console (or the gateway's policy), and
    use a key that has access.

    ## References
    - Anthropic API errors: 403 `permission_error`
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA906", "probe-forbidden", Severity.ERROR, "403",
                    "use a key whose workspace and organisation have access (Console), or "
                    "have the gateway's policy changed")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 403."""
        yield from _fire(self, ctx, _forbidden)


class ProbeNotFound(Rule):
    """
    ## What it does
    Reports `404 not_found_error` from `GET /v1/models` (or from `--messages`' request): says
    whether the path the SDK built is wrong (a base URL ending in `/v1`, a gateway path that
    serves nothing) or, when the path is the API's own, that the key itself is disabled or
    deleted.

    ## Why is this bad?
    Every request fails with `NotFoundError`. A base URL ending in `/v1` makes the SDKs request
    `/v1/v1/messages`; a web page's URL in `ANTHROPIC_BASE_URL` serves nothing under `/v1`.

    ## Example
    `ANTHROPIC_BASE_URL=https://api.anthropic.com/v1`.

    ## Use instead
    `ANTHROPIC_BASE_URL=https://api.anthropic.com` (or the gateway's API base, the part
    before `/v1`); if the path is right, check the key in the Console.

    ## References
    - Anthropic API errors: 404 `not_found_error`
    - docs/sdk-facts.md: "Base URL handling"
    """

    meta = RuleMeta("EA907", "probe-not-found", Severity.ERROR,
                    "404: wrong base URL path, or a disabled key",
                    "correct ANTHROPIC_BASE_URL's path, or replace a disabled key")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 404 (and not about the model)."""
        yield from _fire(self, ctx, _not_found)


class ProbeBadRequest(Rule):
    """
    ## What it does
    Reports `400 invalid_request_error` with the API's `error.type` and `error.message`, which
    say what to change: the most common answer to a request that is otherwise right is "Your
    credit balance is too low to access the Anthropic API".

    ## Why is this bad?
    Every such request fails with `BadRequestError`; the status alone says nothing, the body
    says everything, and apps often log only the status.

    ## Example
    An organisation whose prepaid credits ran out.

    ## Use instead
    Do what `error.message` says: buy credits (Plans & Billing), correct a setting
    (`max_tokens`, the model).

    ## References
    - Anthropic API errors: 400 `invalid_request_error`
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA908", "probe-bad-request", Severity.ERROR,
                    "400, with the API's error.type and error.message",
                    "change what error.message names")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 400."""
        yield from _fire(self, ctx, _bad_request)


class ProbeRateLimited(Rule):
    """
    ## What it does
    Reports `429 rate_limit_error`, with the `retry-after` the API sent.

    ## Why is this bad?
    Requests fail with `RateLimitError` once the SDK's retries are spent (2 by default,
    waiting as `retry-after` says). The key works: this is load or a spend limit, and it
    passes.

    ## Example
    A batch job with 50 workers sharing one key.

    ## Use instead
    Back off and retry (raise `max_retries`), lower the concurrency, or ask for a higher limit
    in the Console.

    ## References
    - Anthropic API errors: 429 `rate_limit_error`; rate limits
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA909", "probe-rate-limited", Severity.WARNING, "429 (with retry-after)",
                    "back off and retry after retry-after; lower the concurrency or ask for a "
                    "higher limit")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 429."""
        yield from _fire(self, ctx, _rate_limited)


class ProbeServerError(Rule):
    """
    ## What it does
    Reports a 5xx answer: `500 api_error`, `529 overloaded_error`, a gateway's 502/503/504.

    ## Why is this bad?
    The request was right and the server failed: the SDK retries (2 times by default) and
    then raises `InternalServerError` (`OverloadedError` for 529,
    `ServiceUnavailableError` for 503, `GatewayTimeoutError` for 504). It usually passes; one
    that persists through a gateway is the gateway's.

    ## Example
    `529 overloaded_error` at peak time.

    ## Use instead
    Retry with backoff; for a gateway, read its logs for the `request-id`.

    ## References
    - Anthropic API errors: 500 `api_error`, 529 `overloaded_error`
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA910", "probe-server-error", Severity.WARNING, "5xx / 529",
                    "retry with backoff; check the API's status page")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 5xx."""
        yield from _fire(self, ctx, _server_error)


class ProbeModelUnavailable(Rule):
    """
    ## What it does
    Compares the configured model (`ANTHROPIC_MODEL` and the other model settings) with the
    models `GET /v1/models` lists for the key, aliases included (`claude-haiku-4-5` for
    `claude-haiku-4-5-20251001`), and with `--messages`' answer when it was sent. Suggests the
    nearest model listed.

    ## Why is this bad?
    A Messages request with a model the key cannot use fails with `NotFoundError`
    (`404 not_found_error`, `model: NAME`), while the key, the URL and the network are fine:
    the model was retired, misspelled, not enabled for the workspace, or named the way another
    platform names it.

    ## Example
    `ANTHROPIC_MODEL=claude-3-opus-20240229` after its retirement.

    ## Use instead
    One of the models the key lists (`envaudit probe` shows them).

    ## References
    - Anthropic API: `GET /v1/models`
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA911", "probe-model-unavailable", Severity.ERROR,
                    "the configured model is not in the key's GET /v1/models list",
                    "set the model setting to a model the key lists")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The configured model is not listed (and ``--messages`` did not prove it works)."""
        yield from _fire(self, ctx, _model)


class ProbeNoAnswer(Rule):
    """
    ## What it does
    Reports a connection that opened but brought no complete HTTP answer: the TLS handshake
    or the answer did not come within `--timeout` (or the total bound), the server closed or
    reset the connection without answering, or it answered bytes that are not HTTP. A server
    that trickles its answer a byte at a time is cut off by the bound.

    ## Why is this bad?
    The SDK raises `APITimeoutError` for a server that says nothing, `APIConnectionError`
    (`Server disconnected without sending a response.`) for one that closes. For a server that
    trickles bytes it raises nothing at all: its timeout bounds each read, so it waits
    indefinitely (measured: anthropic 2.17 with `timeout=1` still waiting after 6 s), and
    the app hangs.

    ## Example
    `ANTHROPIC_BASE_URL` pointing at a gateway's admin port, or at a load balancer whose
    backends are gone.

    ## Use instead
    Point the base URL at the API's (or the gateway's API) host, port and scheme, and check
    the gateway's health; on a slow link raise `--timeout`.

    ## References
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA912", "probe-no-answer", Severity.ERROR,
                    "connected, but no complete HTTP answer: timed out, closed, reset or not "
                    "HTTP",
                    "point the base URL at the API's host, port and scheme; check the "
                    "gateway's health")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The handshake, the request or its answer failed or timed out."""
        yield from _fire(self, ctx, _no_answer)


class ProbeNotApi(Rule):
    """
    ## What it does
    Reports a 2xx answer to `GET /v1/models` that is not the API's: a page that is not JSON
    (HTML from a captive portal or a login page), JSON without the list of models, or a body
    larger than any model list (read up to 1 MiB and no further).

    ## Why is this bad?
    Something other than the API answers at this URL, and the SDK does not say so:
    anthropic 2.17's `models.list()` raises `AttributeError: 'str' object has no attribute
    '_set_private_attributes'`, and `messages.create()` returns the page as a `str` without
    raising, so the app fails later with `'str' object has no attribute 'content'` (measured).

    ## Example
    A laptop on a hotel's Wi-Fi before its portal was accepted; `ANTHROPIC_BASE_URL` naming a
    gateway's dashboard instead of its API.

    ## Use instead
    Open the URL in a browser from the same machine (a portal asks to log in), or set
    `ANTHROPIC_BASE_URL` to the API's endpoint.

    ## References
    - RFC 8910 (captive portals)
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA913", "probe-not-api", Severity.ERROR,
                    "a 2xx answer that is not the API's (HTML, other JSON, a huge body)",
                    "log in to the network's portal, or set ANTHROPIC_BASE_URL to the API's "
                    "endpoint")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The 2xx answer held no model list."""
        yield from _fire(self, ctx, _not_api)


class ProbeRedirect(Rule):
    """
    ## What it does
    Reports a redirect (301, 302, 307, 308) and where it leads. The probe never follows it,
    so the credential goes to no other host.

    ## Why is this bad?
    The SDKs follow redirects. anthropic 2.x drops `Authorization` (so the key) when the host
    or port changes and gets 401 there; anthropic 0.x-1.x send the key in `X-Api-Key`, which
    is forwarded: the key goes to the other host (measured with 0.125.0). A 301 or 302 also
    turns the Messages `POST` into a `GET`. An `http://` base URL redirected to `https://`
    has already sent the key in clear.

    ## Example
    `ANTHROPIC_BASE_URL=http://gateway.internal` answered with `308` to
    `https://gateway.internal`.

    ## Use instead
    Set `ANTHROPIC_BASE_URL` to where the redirect leads, once that host is known to be the
    API's or the gateway's.

    ## References
    - RFC 9110 §15.4 (redirects)
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA914", "probe-redirect", Severity.ERROR,
                    "a redirect (3xx): not followed; the SDKs follow it",
                    "set ANTHROPIC_BASE_URL to where the redirect leads")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered 3xx."""
        yield from _fire(self, ctx, _redirect)


class ProbeUnexpectedStatus(Rule):
    """
    ## What it does
    Reports any other error status (402 `billing_error`, 405, 408, 409, 413, 422 …), with the
    API's `error.type` and `error.message` and the exception the SDK raises for it.

    ## Why is this bad?
    The request fails (`PaymentRequiredError`, `ContentTooLargeError` … or the generic
    `APIStatusError`), and no verdict above explains it.

    ## Example
    `402 billing_error`: the organisation has no valid payment method.

    ## Use instead
    Do what `error.message` says.

    ## References
    - Anthropic API errors
    - docs/sdk-facts.md: "The probe's verdicts and the SDKs' exceptions"
    """

    meta = RuleMeta("EA915", "probe-unexpected-status", Severity.ERROR,
                    "another 4xx status (402 billing, 405, 413 …)",
                    "change what error.message names")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The API answered another 4xx."""
        yield from _fire(self, ctx, _unexpected)


class ProbeNotSent(Rule):
    """
    ## What it does
    Reports a probe that sent nothing because the SDK would send nothing either: a base URL
    it cannot use (no `http(s)://`, a control character), a proxy URL or `NO_PROXY` entry it
    cannot build, a trust store it cannot load, a credential that is not a valid header value.

    ## Why is this bad?
    The app fails before any byte leaves: `APIConnectionError` (`UnsupportedProtocol`,
    `LocalProtocolError`) on every request, or `InvalidURL`, `ValueError`,
    `FileNotFoundError`, `SSLError` when the client is built. `envaudit scan` names the
    variable (EA103, EA301, EA309, EA402, EA403, EA602).

    ## Example
    `ANTHROPIC_BASE_URL=api.anthropic.com` (no scheme).

    ## Use instead
    Fix the value the message names (`envaudit scan` shows where it comes from).

    ## References
    - docs/sdk-facts.md: "Base URL handling", "Proxy URLs and the network model", "CA files
      and TLS switches"
    """

    meta = RuleMeta("EA916", "probe-not-sent", Severity.ERROR,
                    "the SDK would send nothing: base URL, proxy, trust store or credential "
                    "unusable",
                    "fix the value named (envaudit scan shows where it comes from)")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The probe stopped before sending."""
        yield from _fire(self, ctx, _not_sent)


class ProbeTlsIntercepted(Rule):
    """
    ## What it does
    Reports a TLS handshake that succeeded through a certificate whose CA is not a public
    one, on a path where a public one is expected (Anthropic's host, or through a proxy): TLS
    is intercepted, and the trust store the SDK uses holds the interception CA.

    ## Why is this bad?
    It works, and it is worth knowing: the interception product (a corporate proxy, an
    antivirus) sees the key and every prompt and answer in clear, and every runtime of the
    app must trust its CA the way that runtime reads it (Python `SSL_CERT_FILE`, Node
    `NODE_EXTRA_CA_CERTS`), or it fails with `CERTIFICATE_VERIFY_FAILED` (EA904).

    ## Example
    `HTTPS_PROXY=http://proxy.corp:3128`, `SSL_CERT_FILE=/etc/ssl/corp-bundle.pem`.

    ## Use instead
    Nothing, if this is your organisation's proxy; otherwise find out who re-signs the
    traffic. Ask for the API host to be exempt from interception where policy allows.

    ## References
    - docs/sdk-facts.md: "CA files and TLS switches"
    """

    meta = RuleMeta("EA917", "probe-tls-intercepted", Severity.INFO,
                    "TLS works through an interception CA (not a public one)",
                    "nothing if it is your organisation's proxy; make every runtime trust its "
                    "CA")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """The TLS stage succeeded with a chain the probe calls interception."""
        result = ctx.snapshot.probe
        if result is None:
            return
        stage = _stage(result, "tls")
        if stage is None or stage.status != "ok" or not stage.data.get("interception"):
            return
        target = result.target
        issuer = stage.data.get("root") or stage.data.get("issuer")
        via = f" through {target.proxy}" if target.proxy else ""
        from envaudit.rules.endpoint import is_anthropic

        if is_anthropic(target.host):
            what = f"is re-signed by {issuer!r}, which is not a public CA"
        else:
            what = (f"presents a certificate from {issuer!r}, which is not a public CA: the "
                    f"proxy re-signs it, unless {target.host} is a private server with its own "
                    "CA")
        message = (f"tls: TLS to {target.host}{via} {what}, and {store_words(target.ca)} trusts "
                   "it: an interception product sees the key and every prompt and answer in "
                   "clear")
        yield self.finding(printable(message), Location(_SOURCE, path=printable(target.url)),
                           details={"stage": "tls", "issuer": issuer})


class ProbeIncomplete(Rule):
    """
    ## What it does
    Reports a probe that could not follow the SDK's path and so checked nothing: a SOCKS or
    `https://` proxy (the probe speaks HTTP `CONNECT` to `http://` proxies only).

    ## Why is this bad?
    No verdict is not a pass: the endpoint, the key and the model were not checked.

    ## Example
    `HTTPS_PROXY=socks5://127.0.0.1:1080`.

    ## Use instead
    Compare with curl along the same path (`envaudit probe --curl` prints the command), or
    probe from a network where an `http://` proxy applies.

    ## References
    - docs/sdk-facts.md: "Proxy URLs and the network model"
    """

    meta = RuleMeta("EA918", "probe-incomplete", Severity.WARNING,
                    "the probe could not follow the SDK's path (a SOCKS or https:// proxy)",
                    "compare with envaudit probe --curl along the same path")

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        """Nothing failed and nothing answered."""
        yield from _fire(self, ctx, _incomplete)


RULES: tuple[Rule, ...] = (
    ProbeDns(), ProbeConnect(), ProbeProxy(), ProbeTls(), ProbeAuth(), ProbeForbidden(),
    ProbeNotFound(), ProbeBadRequest(), ProbeRateLimited(), ProbeServerError(),
    ProbeModelUnavailable(), ProbeNoAnswer(), ProbeNotApi(), ProbeRedirect(),
    ProbeUnexpectedStatus(), ProbeNotSent(), ProbeTlsIntercepted(), ProbeIncomplete(),
)
