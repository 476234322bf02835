"""Building policies: groups as in the Go rewrite, validation, ordering, custom patterns."""

from __future__ import annotations

import dataclasses

import pytest

from tarsy.config import CustomMaskingPattern
from tarsy.errors import TarsyError
from tarsy.masking import (
    BUILTIN_PATTERNS,
    KUBERNETES_SECRET,
    PATTERN_GROUPS,
    CustomPattern,
    MaskingConfigError,
    build_policy,
    mask_text,
)

GO_GROUPS = {
    "basic": {"api_key", "password"},
    "secrets": {"api_key", "password", "token", "private_key", "secret_key"},
    "security": {"api_key", "password", "token", "certificate", "certificate_authority_data", "email", "ssh_key"},
    "kubernetes": {"kubernetes_secret", "api_key", "password", "certificate_authority_data"},
    "cloud": {"aws_access_key", "aws_secret_key", "api_key", "token"},
    "all": {
        "kubernetes_secret",
        "base64_secret",
        "base64_short",
        "api_key",
        "password",
        "certificate",
        "certificate_authority_data",
        "email",
        "token",
        "ssh_key",
        "private_key",
        "secret_key",
        "aws_access_key",
        "aws_secret_key",
        "github_token",
        "slack_token",
    },
}

REPLACEMENTS = {
    "api_key": "[MASKED_API_KEY]",
    "password": "[MASKED_PASSWORD]",
    "certificate": "[MASKED_CERTIFICATE]",
    "certificate_authority_data": "[MASKED_CA_CERTIFICATE]",
    "email": "[MASKED_EMAIL]",
    "token": "[MASKED_TOKEN]",
    "ssh_key": "[MASKED_SSH_KEY]",
    "base64_secret": "[MASKED_BASE64_VALUE]",
    "base64_short": "[MASKED_SHORT_BASE64]",
    "private_key": "[MASKED_PRIVATE_KEY]",
    "secret_key": "[MASKED_SECRET_KEY]",
    "aws_access_key": "[MASKED_AWS_KEY]",
    "aws_secret_key": "[MASKED_AWS_SECRET]",
    "github_token": "[MASKED_GITHUB_TOKEN]",
    "slack_token": "[MASKED_SLACK_TOKEN]",
}

# One input per pattern, each caught by that pattern alone.
EXAMPLES = {
    "api_key": "api_key: Ab12Cd34Ef56Gh78Ij90Kl",
    "password": "password: hunter22",
    "certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    "certificate_authority_data": "certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0t",
    "email": "jane@example.com",
    "token": "--token=abc",
    "ssh_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2",
    "base64_secret": "dGhpc0lzQVZlcnlTZWNyZXRLZXkxMjM0NQ==",
    "base64_short": "user: YWRtaW4=",
    "private_key": "private_key: Ab12Cd34Ef56Gh78Ij90Kl",
    "secret_key": "secret_key: Ab12Cd34Ef56Gh78Ij90Kl",
    "aws_access_key": "AKIAIOSFODNN7EXAMPLE",
    "aws_secret_key": "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "github_token": "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32",
    "slack_token": "xoxb-1234567890-AbCdEfGh",
}


def test_groups_match_the_go_rewrite() -> None:
    assert {name: set(members) for name, members in PATTERN_GROUPS.items()} == GO_GROUPS


@pytest.mark.parametrize("group", sorted(GO_GROUPS))
def test_group_policy_resolves_to_its_members(group: str) -> None:
    assert set(build_policy(groups=[group]).names) == GO_GROUPS[group]


def test_there_are_fifteen_builtin_patterns_with_go_replacements() -> None:
    assert len(BUILTIN_PATTERNS) == 15
    for name, placeholder in REPLACEMENTS.items():
        assert mask_text(EXAMPLES[name], build_policy(patterns=[name])).count(placeholder) == 1, name


def test_kubernetes_and_all_include_the_structural_masker() -> None:
    assert build_policy(groups=["kubernetes"]).code_maskers == (KUBERNETES_SECRET,)
    assert build_policy(groups=["all"]).code_maskers == (KUBERNETES_SECRET,)
    assert build_policy(groups=["security"]).code_maskers == ()


def test_builtins_run_in_fixed_order_whatever_the_configuration_order() -> None:
    forward = build_policy(groups=["basic"], patterns=["certificate", "email"])
    backward = build_policy(groups=["basic"], patterns=["email", "certificate"])
    assert forward == backward
    assert forward.names == ("certificate", "api_key", "password", "email")


def test_names_are_deduplicated_across_groups_and_patterns() -> None:
    policy = build_policy(groups=["basic", "secrets"], patterns=["password", "kubernetes_secret"])
    assert sorted(policy.names) == sorted({"kubernetes_secret", *GO_GROUPS["secrets"]})


def test_empty_policy_changes_nothing() -> None:
    policy = build_policy()
    assert policy.is_empty
    assert mask_text("password: hunter22", policy) == "password: hunter22"


def test_unknown_group_and_pattern_are_reported_together_with_allowed_names() -> None:
    with pytest.raises(MaskingConfigError) as caught:
        build_policy(groups=["basic", "everything"], patterns=["passwords"])
    assert caught.value.problems == (
        "unknown masking group 'everything'; allowed: all, basic, cloud, kubernetes, secrets, security",
        "unknown masking pattern 'passwords'; allowed: " + ", ".join(sorted({KUBERNETES_SECRET, *BUILTIN_PATTERNS})),
    )
    assert caught.value.code == "invalid_masking_config"
    assert isinstance(caught.value, TarsyError)
    assert isinstance(caught.value, ValueError)


def test_a_single_string_is_not_taken_for_a_list_of_names() -> None:
    with pytest.raises(TypeError, match="not a single string"):
        build_policy(groups="all")


def test_invalid_custom_regex_names_the_pattern() -> None:
    with pytest.raises(MaskingConfigError, match=r"custom pattern 1 \(internal ids\): invalid regex '\(unclosed'"):
        build_policy(
            custom_patterns=[
                CustomPattern(r"ok-\d+", "[MASKED_OK]"),
                CustomPattern("(unclosed", "[X]", "internal ids"),
            ]
        )


@pytest.mark.parametrize(
    ("pattern", "replacement", "problem"),
    [
        (r"id=(\d+)", r"id=\2", "invalid replacement"),
        (r"id=\d+", r"\d", "invalid replacement"),
        (r"id=(?P<n>\d+)", r"\g<m>", "invalid replacement"),
        (r"\d*", "[X]", "matches the empty string"),
    ],
)
def test_unusable_custom_patterns_are_rejected(pattern: str, replacement: str, problem: str) -> None:
    with pytest.raises(MaskingConfigError, match=problem):
        build_policy(custom_patterns=[CustomPattern(pattern, replacement)])


def test_custom_patterns_run_after_builtins_with_python_templates() -> None:
    policy = build_policy(
        groups=["basic"],
        custom_patterns=[CustomPattern(r"(employee_id=)\d{6}", r"\1[MASKED_EMPLOYEE_ID]", "HR ids")],
    )
    assert policy.names == ("api_key", "password", "custom:0")
    assert policy.patterns[-1].description == "HR ids"
    text = "employee_id=123456 password=hunter22"
    assert mask_text(text, policy) == "employee_id=[MASKED_EMPLOYEE_ID] password=[MASKED_PASSWORD]"


def test_custom_patterns_from_the_config_model_are_accepted() -> None:
    spec = CustomMaskingPattern(pattern=r"client-key-data: \S+", replacement="client-key-data: [MASKED]")
    policy = build_policy(custom_patterns=[spec])
    assert mask_text("client-key-data: LS0tLS1", policy) == "client-key-data: [MASKED]"


def test_policy_is_frozen_and_hashable() -> None:
    policy = build_policy(groups=["security"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.patterns = ()  # type: ignore[misc]
    assert hash(policy) == hash(build_policy(groups=["security"]))
