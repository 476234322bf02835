"""The secret corpus: exact outputs, no surviving secrets, untouched near misses, structure kept."""

from __future__ import annotations

import json

import pytest
import yaml

from tarsy.masking import BUILTIN_PATTERNS, KUBERNETES_SECRET, build_policy, mask_text
from tests.unit.masking.corpus import UPDATE_GOLDEN, Case, load_cases, write_expected

CASES = load_cases()
ALL = build_policy(groups=["all"])


def _policy_masked(case: Case) -> str:
    return mask_text(case.input, build_policy(groups=case.groups, patterns=case.patterns))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_masks_exactly_as_expected(case: Case) -> None:
    actual = _policy_masked(case)
    if UPDATE_GOLDEN:
        write_expected(case, actual)
        return
    assert actual == case.expected


@pytest.mark.parametrize("case", [c for c in CASES if c.secrets], ids=lambda case: case.name)
def test_no_listed_secret_survives_the_cases_own_policy(case: Case) -> None:
    masked = _policy_masked(case)
    assert [secret for secret in case.secrets if secret in masked] == []


@pytest.mark.parametrize("case", [c for c in CASES if c.secrets_beyond_policy], ids=lambda case: case.name)
def test_secrets_beyond_the_policy_are_left_by_it(case: Case) -> None:
    assert case.groups != ("all",) or case.patterns, "group all leaves nothing beyond its policy"
    masked = _policy_masked(case)
    assert [secret for secret in case.secrets_beyond_policy if secret not in masked] == []


@pytest.mark.parametrize("case", [c for c in CASES if c.secrets or c.secrets_beyond_policy], ids=lambda case: case.name)
def test_no_listed_secret_survives_group_all(case: Case) -> None:
    masked = mask_text(case.input, ALL)
    assert [secret for secret in (*case.secrets, *case.secrets_beyond_policy) if secret in masked] == []


@pytest.mark.parametrize("case", [c for c in CASES if c.near_miss], ids=lambda case: case.name)
def test_near_miss_is_left_alone(case: Case) -> None:
    assert case.secrets == () and case.secrets_beyond_policy == ()
    assert case.expected == case.input
    assert _policy_masked(case) == case.input


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_json_stays_json_and_yaml_stays_yaml(case: Case) -> None:
    assert case.expected is not None
    try:
        original = json.loads(case.input)
    except ValueError:
        pass
    else:
        assert type(json.loads(case.expected)) is type(original)
        return
    try:
        original = yaml.safe_load(case.input)
    except yaml.YAMLError:
        return
    if isinstance(original, dict | list):
        assert type(yaml.safe_load(case.expected)) is type(original)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_masking_is_idempotent(case: Case) -> None:
    once = mask_text(case.input, ALL)
    assert mask_text(once, ALL) == once


def test_corpus_is_large_enough_and_covers_every_masker() -> None:
    assert len([c for c in CASES if c.secrets]) >= 60
    for name in (KUBERNETES_SECRET, *BUILTIN_PATTERNS):
        alone = build_policy(patterns=[name])
        hits = [c.name for c in CASES if mask_text(c.input, alone) != c.input]
        assert len(hits) >= 3, f"{name} changes only {hits}"
