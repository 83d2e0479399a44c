"""``envaudit.rules.models``: max-tokens parsing, the catalogue look-ups, the scan date and the
configured variable names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envaudit import engine
from envaudit.collectors.base import CollectOptions
from envaudit.context import AuditContext
from envaudit.inventory.models import bundled, token_limits
from envaudit.model import Snapshot
from envaudit.rules.models import catalogue, parse_max_tokens

KEY = ("sk-ant-api03-FAKE-SRC-EXAMPLE-0000-FAKE-SRC-EXAMPLE-0000-FAKE-SRC-EXAMPLE-0000-"
       "FAKE-SRC-EXAMPLE-0000-FAKE-AA")


@given(st.text(max_size=30))
def test_parse_max_tokens_never_raises(value: str) -> None:
    setting = parse_max_tokens(value)
    assert (setting.number is None) != (setting.problem is None)
    if setting.number is not None:
        assert value.isascii() and value.isdigit() and int(value) == setting.number > 0


@given(st.integers(min_value=1, max_value=10**9))
def test_digits_are_numbers(n: int) -> None:
    assert parse_max_tokens(str(n)).number == n


@pytest.mark.parametrize("value", ["1024 ", " 1024", "1k", "4K", "1024.0", "1e4", "8,192",
                                   "8_192", "0", "-1", "", "lots", "١٠٢٤"])
def test_not_positive_integers(value: str) -> None:
    assert parse_max_tokens(value).number is None


def test_nearest_and_aliases() -> None:
    cat = catalogue(AuditContext(Snapshot(root="/")))
    assert cat.nearest("claude-sonet-4-6") == "claude-sonnet-4-6"
    assert cat.nearest("gpt-5-mini") is None
    assert cat.deprecation("claude-3-5-haiku-latest").date == "2026-02-19"  # via its alias


def test_bundled_limits_have_sources() -> None:
    limits = token_limits()
    assert limits.nonstreaming_default == 21333 and limits.output == {}
    assert limits.output_source and limits.nonstreaming_source
    assert set(limits.nonstreaming) >= {"claude-opus-4-0", "claude-opus-4-20250514"}
    assert all(bundled().knows(m) for m in limits.nonstreaming if not m.count(".")
               and "@" not in m)


def _scan(tmp_path: Path, lines: list[str], **options: object) -> list[str]:
    (tmp_path / ".env").write_text("\n".join([f"ANTHROPIC_API_KEY={KEY}", *lines]) + "\n")
    snapshot = engine.collect(CollectOptions(root=str(tmp_path), process_env=False,
                                             offline=True, **options))  # type: ignore[arg-type]
    return [f"{f.rule_id} {f.variable}" for f in engine.audit(snapshot).findings
            if f.rule_id.startswith("EA6")]


def test_the_scan_date_decides_retired_or_deprecated(tmp_path: Path) -> None:
    lines = ["ANTHROPIC_MODEL=claude-opus-4-5"]  # end-of-life January 22nd, 2027
    assert _scan(tmp_path, lines, today="2026-12-06") == ["EA608 ANTHROPIC_MODEL"]
    assert _scan(tmp_path, lines, today="2027-01-22") == ["EA607 ANTHROPIC_MODEL"]


def test_configured_variables_are_kept_and_checked(tmp_path: Path) -> None:
    lines = ["SUMMARY_MODEL=claude-sonet-4-6", "SUMMARY_MAX_TOKENS=2k",
             "ANTHROPIC_MODEL=claude-sonet-4-6"]
    assert _scan(tmp_path, lines, today="2026-12-06") == ["EA605 ANTHROPIC_MODEL"]
    found = _scan(tmp_path, lines, today="2026-12-06", model_variables=("SUMMARY_MODEL",),
                  max_tokens_variables=("SUMMARY_MAX_TOKENS",))
    assert sorted(found) == ["EA605 SUMMARY_MODEL", "EA609 SUMMARY_MAX_TOKENS"]


def test_configured_limit_pairs_with_its_model(tmp_path: Path) -> None:
    lines = ["SUMMARY_MODEL=claude-opus-4-1@20250805", "SUMMARY_MAX_TOKENS=9000",
             "ANTHROPIC_MODEL=claude-sonnet-4-6"]
    found = _scan(tmp_path, lines, today="2026-12-06",
                  model_variables=("ANTHROPIC_MODEL", "SUMMARY_MODEL"),
                  max_tokens_variables=("SUMMARY_MAX_TOKENS",))
    assert found == ["EA610 SUMMARY_MAX_TOKENS"]


def test_other_providers_models_are_not_ours(tmp_path: Path) -> None:
    assert _scan(tmp_path, ["MODEL=gpt-5-mini", "LLM_MODEL=gemini-3-pro"]) == []


def test_a_max_tokens_value_is_shown_unless_it_is_credential_shaped(tmp_path: Path) -> None:
    """A token count is not a secret by its name (redact.is_secret_name): the number is quoted
    in full; a key pasted into the variable is still a secret by its value."""
    value = "123456789012345"
    (tmp_path / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\nANTHROPIC_MAX_TOKENS={value}\n")
    snapshot = engine.collect(CollectOptions(root=str(tmp_path), process_env=False,
                                             offline=True, today="2026-12-06"))
    messages = [f.message for f in engine.audit(snapshot).findings if f.rule_id == "EA610"]
    assert len(messages) == 1 and value in messages[0]
    (tmp_path / ".env").write_text(f"ANTHROPIC_API_KEY={KEY}\nANTHROPIC_MAX_TOKENS={KEY}\n")
    snapshot = engine.collect(CollectOptions(root=str(tmp_path), process_env=False,
                                             offline=True, today="2026-12-06"))
    report = engine.audit(snapshot)
    assert all(KEY not in f.message for f in report.findings)
