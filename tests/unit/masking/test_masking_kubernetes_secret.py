"""The structural Secret masker on its own: what it leaves alone and the edge cases of editing in place."""

from __future__ import annotations

import json

import pytest
import yaml

from tarsy.masking import SECRET_DATA_PLACEHOLDER, mask_kubernetes_secrets

SECRET_JSON = json.dumps({"kind": "Secret", "metadata": {"name": "x"}, "data": {"pw": "aHVudGVyMjI="}})


@pytest.mark.parametrize(
    "text",
    [
        "",
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  pw: aHVudGVyMjI=\n",
        "This is just plain text mentioning kind: Secret in a log message",
        "kind: Secret\nthis is not: valid: yaml: [[",
        '{"kind": "Secret", "data": {broken json',
        '{"kind": "Secret", "metadata": {"name": "no-data"}, "type": "Opaque"}',
        "kind: Secret\n---\n" + "[" * 100_000 + "]" * 100_000,
        "kind: Secret\n---\n" + "- " * 100_000 + "x\n",
    ],
    ids=["empty", "configmap", "prose", "bad-yaml", "bad-json", "no-data", "deep-flow", "deep-block"],
)
def test_text_without_maskable_secret_data_is_returned_unchanged(text: str) -> None:
    assert mask_kubernetes_secrets(text) is text


def test_yaml_flow_mapping_at_top_level() -> None:
    assert mask_kubernetes_secrets("{kind: Secret, data: {a: b}}\n") == '{kind: Secret, data: "[MASKED_SECRET_DATA]"}\n'


def test_alias_as_data_is_replaced_where_it_is_referenced() -> None:
    text = "defaults: &creds {pw: aHVudGVyMjI=}\n---\nkind: Secret\ndata: *creds\n"
    assert mask_kubernetes_secrets(text) == (
        'defaults: &creds {pw: aHVudGVyMjI=}\n---\nkind: Secret\ndata: "[MASKED_SECRET_DATA]"\n'
    )


@pytest.mark.parametrize(
    "value",
    [
        "|\n      " + SECRET_JSON + "\n",
        "|-\n      " + SECRET_JSON + "\n",
        "|+\n      " + SECRET_JSON + "\n\n",
        "|2\n        " + SECRET_JSON + "\n",
        ">\n      " + SECRET_JSON + "\n",
        "'" + SECRET_JSON + "'\n",
        json.dumps(SECRET_JSON) + "\n",
    ],
    ids=["literal", "literal-strip", "literal-keep", "literal-indent-indicator", "folded", "single", "double"],
)
def test_embedded_manifest_in_any_scalar_style_is_masked_and_stays_yaml(value: str) -> None:
    text = "kind: Secret\nmetadata:\n  annotations:\n    applied: " + value + "  name: x\ndata: {}\n"
    before = yaml.safe_load(text)["metadata"]["annotations"]["applied"]
    masked = mask_kubernetes_secrets(text)
    after = yaml.safe_load(masked)
    assert "aHVudGVyMjI=" not in masked
    assert after["metadata"]["name"] == "x"
    applied = after["metadata"]["annotations"]["applied"]
    assert json.loads(applied)["data"] == SECRET_DATA_PLACEHOLDER
    assert len(applied) - len(applied.rstrip("\n")) == len(before) - len(before.rstrip("\n"))


def test_literal_block_keeps_its_style() -> None:
    text = "kind: Secret\nmetadata:\n  annotations:\n    applied: |\n      " + SECRET_JSON + "\n  name: x\n"
    expected_json = json.dumps({"kind": "Secret", "metadata": {"name": "x"}, "data": SECRET_DATA_PLACEHOLDER})
    assert mask_kubernetes_secrets(text) == (
        "kind: Secret\nmetadata:\n  annotations:\n    applied: |\n      " + expected_json + "\n  name: x\n"
    )


def test_manifests_nested_three_strings_deep_are_masked() -> None:
    level = SECRET_JSON
    for _ in range(3):
        level = json.dumps({"wrapped": level, "kind": "Envelope"})
    masked = mask_kubernetes_secrets(level)
    for _ in range(3):
        masked = json.loads(masked)["wrapped"]
    assert json.loads(masked)["data"] == SECRET_DATA_PLACEHOLDER


def test_json_formatting_outside_the_data_is_kept() -> None:
    text = '{ "kind" :"Secret",\n\t"data": {"a":"b"} ,"z":[1,2 ,3]}'
    assert mask_kubernetes_secrets(text) == '{ "kind" :"Secret",\n\t"data": "[MASKED_SECRET_DATA]" ,"z":[1,2 ,3]}'
