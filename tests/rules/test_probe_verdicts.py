"""The EA9 rules over probe results built by hand: one verdict per probe whatever the stages
say (hypothesis), and the branches the rule cases do not reach (a proxy offering only
Negotiate, a refused proxy password, a model list with more pages, ``--messages`` proving a
model the list lacks, a gateway's 502, the TypeScript SDK's names, no credential at all).
The rule cases (``tests/rules/cases/EA9*``) run the real probe; these run the rules alone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit.context import AuditContext
from envaudit.model import Finding, ProbeResult, ProbeStage, ProbeTarget, Severity, Snapshot
from envaudit.rules import ALL_RULES
from envaudit.rules.probe import classify

PROBE_RULES = [r for r in ALL_RULES if r.meta.id.startswith("EA9")]
HINT = "sk-ant-api03-…00AA (108 chars, fp 0123456789abcdef)"


def target(**changes: Any) -> ProbeTarget:
    base = ProbeTarget(sdk="anthropic 2.17.0 (.venv)",
                       url="https://api.anthropic.com/v1/models?limit=1000", scheme="https",
                       host="api.anthropic.com", port=443, ca="system",
                       auth_header="authorization",
                       credential_variable="ANTHROPIC_API_KEY (.env:1)", credential_hint=HINT,
                       anthropic_version="2026-10-21", model="claude-sonnet-4-6")
    return base._replace(**changes)


OK_STAGES = (ProbeStage("dns", "ok", 1.0, "resolved", {"host": "api.anthropic.com",
                                                        "of": "the API host"}),
             ProbeStage("connect", "ok", 1.0, "connected", {"of": "the API host"}),
             ProbeStage("proxy", "skipped", None, "not used: no proxy variable applies"),
             ProbeStage("tls", "ok", 1.0, "TLSv1.3", {"issuer": "Public Root", "root": "Public "
                                                      "Root", "issuer_public": True,
                                                      "interception": False}),
             ProbeStage("request", "ok", 1.0, "GET /v1/models"),
             ProbeStage("first-byte", "ok", 1.0, "HTTP 200 OK", {"status": 200}))


def answered(status: int, *, models: tuple[str, ...] | None = None, response: dict[str, Any]
             | None = None, **changes: Any) -> ProbeResult:
    stages = (*OK_STAGES, ProbeStage("response", "ok", 1.0, "answer",
                                     {"status": status, **(response or {})}))
    return ProbeResult(target(**changes.pop("target", {})), stages, status=status,
                       models=models, **changes)


def failed_at(stage: ProbeStage, **target_changes: Any) -> ProbeResult:
    stages = [s for s in OK_STAGES if s.name != stage.name]
    order = [s.name for s in OK_STAGES]
    before = [s for s in stages if order.index(s.name) < order.index(stage.name)] \
        if stage.name in order else stages
    return ProbeResult(target(**target_changes), (*before, stage))


def findings(result: ProbeResult) -> list[Finding]:
    ctx = AuditContext(Snapshot(root="/nonexistent-case", probe=result))
    return [f for rule in PROBE_RULES for f in rule.check(ctx)]


def one(result: ProbeResult) -> Finding:
    found = [f for f in findings(result) if f.severity > Severity.INFO]
    assert len(found) == 1, found
    return found[0]


# ----------------------------------------------------------------------------- one verdict

_NAMES = ["url", "dns", "connect", "proxy", "tls", "request", "first-byte", "response",
          "messages", "other"]
_DATA = st.dictionaries(
    st.sampled_from(["status", "closed", "store_error", "sent", "verify_code", "interception",
                     "truncated", "has_more", "of", "authenticate", "sent_credentials",
                     "location", "redirect_other_host", "json", "content_type", "issuer"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 600), st.text(max_size=12),
              st.lists(st.text(max_size=8), max_size=2)), max_size=5)
_STAGE = st.builds(ProbeStage, st.sampled_from(_NAMES),
                   st.sampled_from(["ok", "failed", "timeout", "skipped"]),
                   st.one_of(st.none(), st.floats(0, 10)), st.text(max_size=30), _DATA)


@settings(max_examples=300, deadline=None)
@given(stages=st.lists(_STAGE, max_size=8),
       status=st.one_of(st.none(), st.integers(100, 599)),
       models=st.one_of(st.none(), st.lists(st.sampled_from(
           ["claude-sonnet-4-6", "claude-haiku-4-5-20251001", "x"]), max_size=3)),
       model=st.one_of(st.none(), st.sampled_from(["claude-sonnet-4-6", "claude-haiku-4-5",
                                                   "claude-nope"])),
       messages=st.one_of(st.none(), st.integers(200, 599)),
       blocked=st.one_of(st.none(), st.just("UnsupportedProtocol: x")),
       proxy=st.one_of(st.none(), st.just("http://127.0.0.1:3128")))
def test_at_most_one_verdict_whatever_the_stages(
        stages: list[ProbeStage], status: int | None, models: list[str] | None,
        model: str | None, messages: int | None, blocked: str | None,
        proxy: str | None) -> None:
    result = ProbeResult(target(model=model, blocked=blocked, proxy=proxy,
                                blocked_stage="url" if blocked else None),
                         tuple(stages), status=status,
                         models=tuple(models) if models is not None else None,
                         messages_status=messages, messages_error=("not_found_error", "model: x"))
    found = findings(result)
    verdicts = [f for f in found if f.severity > Severity.INFO]
    assert len(verdicts) <= 1
    verdict = classify(result)
    assert [f.rule_id for f in verdicts] == ([verdict.rule] if verdict else [])
    for f in found:
        assert f.message and "\n" not in f.message and "\r" not in f.message
        assert f.fix and "\n" not in f.fix
        assert f.location.source == "probe"


@pytest.mark.parametrize(("stage", "rule"), [
    (ProbeStage("url", "failed", None, "the SDK sends nothing"), "EA916"),
    (ProbeStage("dns", "failed", 1.0, "does not resolve", {"of": "the API host"}), "EA901"),
    (ProbeStage("dns", "timeout", 1.0, "did not resolve", {"of": "the proxy"}), "EA901"),
    (ProbeStage("connect", "failed", 1.0, "refused", {"of": "the API host"}), "EA902"),
    (ProbeStage("connect", "timeout", 1.0, "no answer", {"of": "the proxy"}), "EA902"),
    (ProbeStage("proxy", "failed", 1.0, "407", {"status": 407}), "EA903"),
    (ProbeStage("proxy", "failed", None, "the proxy URL cannot be used: no host"), "EA916"),
    (ProbeStage("tls", "failed", 1.0, "verify failed", {"verify_code": 20}), "EA904"),
    (ProbeStage("tls", "failed", 1.0, "cannot load", {"store_error": True}), "EA916"),
    (ProbeStage("tls", "timeout", 1.0, "no handshake"), "EA912"),
    (ProbeStage("request", "failed", None, "not sent", {"sent": False}), "EA916"),
    (ProbeStage("first-byte", "failed", 1.0, "closed", {"closed": True}), "EA912"),
    (ProbeStage("response", "timeout", 1.0, "trickle"), "EA912"),
])
def test_the_stage_that_failed_picks_the_rule(stage: ProbeStage, rule: str) -> None:
    assert one(failed_at(stage)).rule_id == rule


@pytest.mark.parametrize(("status", "rule"), [
    (301, "EA914"), (308, "EA914"), (400, "EA908"), (401, "EA905"), (402, "EA915"),
    (403, "EA906"), (404, "EA907"), (405, "EA915"), (413, "EA915"), (429, "EA909"),
    (500, "EA910"), (502, "EA910"), (503, "EA910"), (529, "EA910"),
])
def test_the_status_picks_the_rule(status: int, rule: str) -> None:
    finding = one(answered(status, error_type="x_error", error_message="words",
                           request_id="req_1"))
    assert finding.rule_id == rule
    if status >= 400:
        assert "x_error" in finding.message and "'words'" in finding.message
        assert "request-id req_1" in finding.message
        assert finding.details["status"] == status and finding.details["sdk_error"]


# ----------------------------------------------------------------------------- branches


def test_a_proxy_offering_only_negotiate() -> None:
    stage = ProbeStage("proxy", "failed", 1.0, "refused CONNECT: 407", {
        "status": 407, "authenticate": ["Negotiate", "NTLM"], "sent_credentials": False})
    finding = one(failed_at(stage, proxy="http://proxy.corp:3128",
                            proxy_variable="HTTPS_PROXY"))
    assert "Negotiate, NTLM" in finding.message and "cannot answer" in finding.message
    assert "cntlm" in finding.fix and finding.location.path == "http://proxy.corp:3128"


def test_a_refused_proxy_password() -> None:
    stage = ProbeStage("proxy", "failed", 1.0, "407", {"status": 407, "authenticate":
                                                        ["Basic"], "sent_credentials": True})
    finding = one(failed_at(stage, proxy="http://***@proxy.corp:3128"))
    assert "refused the user and password" in finding.message


def test_a_model_list_with_more_pages_is_a_warning() -> None:
    result = answered(200, models=("claude-opus-4-7",), response={"has_more": True})
    finding = one(result)
    assert finding.rule_id == "EA911" and finding.severity is Severity.WARNING
    assert "more pages" in finding.message


def test_messages_proves_a_model_the_list_lacks() -> None:
    assert classify(answered(200, models=("claude-opus-4-7",), messages_status=200)) is None


def test_messages_404_for_the_model() -> None:
    result = answered(200, models=("claude-sonnet-4-6",), messages_status=404,
                      messages_error=("not_found_error", "model: claude-sonnet-4-6"))
    result = result._replace(stages=(*result.stages, ProbeStage(
        "messages", "ok", 1.0, "POST", {"status": 404, "request_id": "req_2"})))
    finding = one(result)
    assert finding.rule_id == "EA911" and finding.details["request"].startswith("POST ")
    assert "request-id req_2" in finding.message


def test_an_alias_of_a_listed_model_is_listed() -> None:
    assert classify(answered(200, models=("claude-haiku-4-5-20251001",),
                             target={"model": "claude-haiku-4-5"})) is None


def test_a_gateways_502() -> None:
    finding = one(answered(502, target={"host": "gw.internal",
                                        "url": "https://gw.internal/v1/models"}))
    assert "upstream" in finding.message and "gateway's logs" in finding.fix


def test_the_typescript_sdks_names() -> None:
    stage = ProbeStage("first-byte", "timeout", 1.0, "no answer")
    finding = one(failed_at(stage, sdk="@anthropic-ai/sdk 1.17.0 (node_modules)", ca="node"))
    assert "APIConnectionTimeoutError" in finding.message


def test_no_credential_401() -> None:
    finding = one(answered(401, target={"auth_header": None, "credential_variable": None,
                                        "credential_hint": None}))
    assert "no credential was sent" in finding.message
    assert finding.fix.startswith("set ANTHROPIC_API_KEY")


def test_the_key_is_named_by_its_hint_only() -> None:
    finding = one(answered(401))
    assert HINT in finding.message and "X-Api-Key" not in finding.message
    one_x = one(answered(401, target={"auth_header": "x-api-key"}))
    assert "as X-Api-Key" in one_x.message


def test_interception_that_works_is_info_on_top_of_the_verdict() -> None:
    result = answered(429, retry_after="5")
    stages = tuple(s._replace(data={**s.data, "interception": True, "issuer": "Corp CA",
                                    "root": "Corp CA"}) if s.name == "tls" else s
                   for s in result.stages)
    found = findings(result._replace(stages=stages))
    assert sorted(f.rule_id for f in found) == ["EA909", "EA917"]
    assert "retry after 5 s" in next(f.message for f in found if f.rule_id == "EA909")


def test_nothing_without_a_probe() -> None:
    ctx = AuditContext(Snapshot(root="/nonexistent-case"))
    assert [f for rule in PROBE_RULES for f in rule.check(ctx)] == []
