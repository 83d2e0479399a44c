"""Contract tests over the rule registry: identity, documentation, cases, registration."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import envaudit.rules
from envaudit.rules import ALL_RULES, RULES_BY_ID, RULES_BY_NAME, find_rule
from envaudit.rules.base import DOC_HEADINGS, Rule

from .casefiles import CASES

RULE_IDS = [r.meta.id for r in ALL_RULES]


def _rule(rule_id: str) -> Rule:
    return RULES_BY_ID[rule_id]


def test_ids_are_unique_and_well_formed() -> None:
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"EA[1-9]\d\d", rule_id), rule_id


def test_all_rules_is_in_id_order() -> None:
    assert RULE_IDS == sorted(RULE_IDS)


def test_names_are_kebab_case_and_unique() -> None:
    names = [r.meta.name for r in ALL_RULES]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name), name


def test_lookup_by_id_and_name() -> None:
    for rule in ALL_RULES:
        assert find_rule(rule.meta.id) is rule
        assert find_rule(rule.meta.id.lower()) is rule
        assert find_rule(rule.meta.name) is rule
    assert len(RULES_BY_ID) == len(RULES_BY_NAME) == len(ALL_RULES)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_docstring_has_the_five_headings_in_order(rule_id: str) -> None:
    doc = _rule(rule_id).doc()
    headings = re.findall(r"^## (.+)$", doc, flags=re.MULTILINE)
    assert tuple(headings) == DOC_HEADINGS
    for section in re.split(r"^## .+$", doc, flags=re.MULTILINE)[1:]:
        assert section.strip(), f"{rule_id}: empty section"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_meta_is_complete(rule_id: str) -> None:
    meta = _rule(rule_id).meta
    assert meta.summary and "\n" not in meta.summary
    assert meta.fix and "\n" not in meta.fix
    assert re.fullmatch(r"\d+\.\d+\.\d+", meta.since)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_bad_and_good_cases(rule_id: str) -> None:
    folder = CASES / rule_id
    assert (folder / "bad").is_dir(), f"{rule_id}: no tests/rules/cases/{rule_id}/bad/"
    assert (folder / "good").is_dir(), f"{rule_id}: no tests/rules/cases/{rule_id}/good/"
    assert any((folder / "bad").iterdir()) and any((folder / "good").iterdir())


def test_no_case_folder_without_a_rule() -> None:
    folders = {p.name for p in CASES.iterdir() if p.is_dir()}
    assert folders <= set(RULE_IDS)


def test_every_rule_module_is_registered() -> None:
    registered = {id(r) for r in ALL_RULES}
    seen = 0
    for info in pkgutil.iter_modules(envaudit.rules.__path__):
        module = importlib.import_module(f"envaudit.rules.{info.name}")
        rules = getattr(module, "RULES", None)
        if rules is None:
            continue
        for rule in rules:
            assert isinstance(rule, Rule)
            assert id(rule) in registered, f"{module.__name__}: {rule.meta.id} not in ALL_RULES"
            seen += 1
        # A Rule subclass defined in a module but left out of its RULES tuple is dead code.
        classes = {type(r) for r in rules}
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Rule) and value is not Rule
                    and value.__module__ == module.__name__):
                assert value in classes, f"{value.__name__} is not in {module.__name__}.RULES"
    assert seen == len(ALL_RULES)
