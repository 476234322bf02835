"""The entry points: mask_value over JSON-like data, and the fail-closed / fail-open wrappers."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tarsy.masking import (
    SECRET_DATA_PLACEHOLDER,
    TOOL_RESULT_REDACTED,
    CustomPattern,
    Masker,
    MaskingPolicy,
    build_policy,
    mask_alert_data,
    mask_text,
    mask_tool_result,
    mask_value,
)

ALL = build_policy(groups=["all"])
SECURITY = build_policy(groups=["security"])
KUBERNETES = build_policy(groups=["kubernetes"])


class ExplodingMasker:
    """A masker that fails the way a bug or a pathological input would."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str, policy: MaskingPolicy, /) -> str:
        self.calls.append(text)
        raise RuntimeError(f"boom while masking {text!r}")


class PrefixMasker:
    """A well-behaved fake: proves the wrappers go through the seam they are given."""

    def __call__(self, text: str, policy: MaskingPolicy, /) -> str:
        return f"masked:{text}"


def test_mask_text_satisfies_the_masker_protocol() -> None:
    masker: Masker = mask_text
    assert masker("password: hunter22", SECURITY) == "password: [MASKED_PASSWORD]"


# --- mask_value -------------------------------------------------------------------------------------


def test_mask_value_uses_the_key_as_context() -> None:
    payload = {"user": "bob", "password": "hunter22", "nested": {"api_key": "Ab12Cd34Ef56Gh78Ij90Kl"}}
    assert mask_value(payload, SECURITY) == {
        "user": "bob",
        "password": "[MASKED_PASSWORD]",
        "nested": {"api_key": "[MASKED_API_KEY]"},
    }


def test_mask_value_masks_strings_in_lists_and_tuples_and_keeps_other_leaves() -> None:
    payload: dict[str, Any] = {
        "notify": ["ops@example.com", "oncall"],
        "pair": ("token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdl", 3),
        "count": 5,
        "ok": True,
        "nothing": None,
        "ratio": 0.5,
    }
    assert mask_value(payload, SECURITY) == {
        "notify": ["[MASKED_EMAIL]", "oncall"],
        "pair": ("token=[MASKED_TOKEN]", 3),
        "count": 5,
        "ok": True,
        "nothing": None,
        "ratio": 0.5,
    }


def test_mask_value_does_not_touch_keys_or_the_input() -> None:
    payload = {"jane@example.com": {"password": "hunter22"}}
    before = copy.deepcopy(payload)
    assert mask_value(payload, SECURITY) == {"jane@example.com": {"password": "[MASKED_PASSWORD]"}}
    assert payload == before


def test_mask_value_replaces_secret_data_in_secret_objects_at_any_depth() -> None:
    secret = {"kind": "Secret", "metadata": {"name": "db"}, "data": {"pw": "aHVudGVyMjI="}, "stringData": {"a": "b"}}
    configmap = {"kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"pw": "aHVudGVyMjI="}}
    payload = {"alert": "SecretChanged", "objects": {"kind": "List", "items": [secret, configmap]}}
    masked = mask_value(payload, KUBERNETES)
    assert masked["objects"]["items"][0] == {
        "kind": "Secret",
        "metadata": {"name": "db"},
        "data": SECRET_DATA_PLACEHOLDER,
        "stringData": SECRET_DATA_PLACEHOLDER,
    }
    assert masked["objects"]["items"][1] == configmap
    assert mask_value(secret, SECURITY)["data"] == {"pw": "aHVudGVyMjI="}  # no kubernetes_secret in security


def test_mask_value_masks_manifests_held_in_strings() -> None:
    manifest = json.dumps({"kind": "Secret", "data": {"token": "dG9rZW4tdmFsdWUtMTIz"}})
    assert mask_value({"raw": manifest}, KUBERNETES) == {
        "raw": json.dumps({"kind": "Secret", "data": SECRET_DATA_PLACEHOLDER})
    }


def test_mask_value_masks_a_plain_string() -> None:
    assert mask_value("mail jane@example.com", SECURITY) == "mail [MASKED_EMAIL]"


def test_mask_value_keeps_value_masking_when_a_custom_pattern_breaks_the_json_fragment() -> None:
    # The custom pattern eats the quote between key and value, so the keyed view cannot be decoded;
    # the value is still masked on its own.
    policy = build_policy(
        groups=["security"],
        custom_patterns=[CustomPattern(r'ref": "', "ref: ", "breaks JSON")],
    )
    assert mask_value({"ref": "mail jane@example.com"}, policy) == {"ref": "mail [MASKED_EMAIL]"}


# --- mask_tool_result (fail closed) ------------------------------------------------------------------


def test_tool_result_is_masked() -> None:
    assert mask_tool_result("password: hunter22", SECURITY) == "password: [MASKED_PASSWORD]"


def test_tool_result_goes_through_the_given_masker() -> None:
    assert mask_tool_result("x", SECURITY, masker=PrefixMasker()) == "masked:x"


def test_tool_result_fails_closed_and_reports_the_error() -> None:
    errors: list[Exception] = []
    masker = ExplodingMasker()
    result = mask_tool_result("password: hunter22", SECURITY, masker=masker, on_error=errors.append)
    assert result == TOOL_RESULT_REDACTED
    assert result == "[REDACTED: data masking failure — tool result could not be safely processed]"
    assert masker.calls == ["password: hunter22"]
    assert [type(error) for error in errors] == [RuntimeError]


def test_tool_result_fails_closed_without_an_error_hook() -> None:
    assert mask_tool_result("anything", SECURITY, masker=ExplodingMasker()) == TOOL_RESULT_REDACTED


def test_tool_result_without_content_or_masking_is_returned_as_is() -> None:
    masker = ExplodingMasker()
    assert mask_tool_result("", SECURITY, masker=masker) == ""
    assert mask_tool_result("password: hunter22", build_policy(), masker=masker) == "password: hunter22"
    assert masker.calls == []


# --- mask_alert_data (fail open) ---------------------------------------------------------------------


def test_alert_text_is_masked_without_error() -> None:
    assert mask_alert_data("owner jane@example.com", SECURITY) == ("owner [MASKED_EMAIL]", None)


def test_alert_object_is_masked_without_error() -> None:
    data = {"description": "disk full", "contact": "jane@example.com", "password": "hunter22"}
    assert mask_alert_data(data, SECURITY) == (
        {"description": "disk full", "contact": "[MASKED_EMAIL]", "password": "[MASKED_PASSWORD]"},
        None,
    )


@pytest.mark.parametrize("data", ["password: hunter22", {"password": "hunter22", "n": [1, "two"]}])
def test_alert_data_fails_open_with_an_error_that_does_not_quote_the_data(data: str | dict[str, Any]) -> None:
    masked, error = mask_alert_data(data, SECURITY, masker=ExplodingMasker())
    assert masked is data
    assert error == "alert data masking failed (RuntimeError); the alert was stored unmasked"


def test_alert_data_without_masking_is_returned_as_is() -> None:
    assert mask_alert_data("password: hunter22", build_policy(), masker=ExplodingMasker()) == (
        "password: hunter22",
        None,
    )
