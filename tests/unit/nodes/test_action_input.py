"""The Action Input cascade: JSON → JSON value → repaired JSON → YAML → key/value pairs → raw text."""

from __future__ import annotations

from typing import Any

import pytest

from tarsy.nodes.action_input import parse_action_input, read_action_input, repair_json

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # (id, raw, expected arguments, expected source)
    ("empty", "", {}, "empty"),
    ("blank", "  \n ", {}, "empty"),
    ("None means no input", "None", {}, "empty"),
    ("JSON null means no input", "null", {}, "empty"),
    ("empty object", "{}", {}, "json"),
    ("JSON object", '{"namespace": "prod", "tail": 100}', {"namespace": "prod", "tail": 100}, "json"),
    ("nested JSON", '{"selector": {"app": "web"}, "ids": [1, 2]}', {"selector": {"app": "web"}, "ids": [1, 2]}, "json"),
    ("json fence", '```json\n{"a": 1}\n```', {"a": 1}, "json"),
    ("bare fence", '```\n{"a": 1}\n```', {"a": 1}, "json"),
    ("tilde fence", '~~~\n{"a": 1}\n~~~', {"a": 1}, "json"),
    ("inline backticks", '`{"a": 1}`', {"a": 1}, "json"),
    ("fence then prose", '```json\n{"a": 1}\n```\nNow I wait.', {"a": 1}, "json"),
    ("object then prose", '{"a": 1}\n\nI will wait for the observation.', {"a": 1}, "json"),
    ("JSON string", '"payments OOM"', {"input": "payments OOM"}, "json"),
    ("JSON number", "42", {"input": 42}, "json"),
    ("JSON array", '["web-1", "web-2"]', {"input": ["web-1", "web-2"]}, "json"),
    ("JSON bool", "true", {"input": True}, "json"),
    ("truncated string", '{"query": "rate(x[5m', {"query": "rate(x[5m"}, "repaired_json"),
    ("truncated after comma", '{"a": 1, "b": [1, 2,', {"a": 1, "b": [1, 2]}, "repaired_json"),
    ("truncated after escape", '{"msg": "say \\', {"msg": "say "}, "repaired_json"),
    ("unrepairable key", '{"a": 1, "na', {"input": '{"a": 1, "na'}, "raw"),
    ("nothing to repair", "{", {"input": "{"}, "raw"),
    (
        "YAML block",
        "kind: Deployment\nname: payments\nreplicas: 3",
        {"kind": "Deployment", "name": "payments", "replicas": 3},
        "yaml",
    ),
    ("YAML flow mapping", "{namespace: prod, tail: 10}", {"namespace": "prod", "tail": 10}, "yaml"),
    ("Python dict repr", "{'namespace': 'prod', 'watch': False}", {"namespace": "prod", "watch": False}, "yaml"),
    ("YAML list value", "names:\n  - web-1\n  - web-2", {"names": ["web-1", "web-2"]}, "yaml"),
    (
        "YAML 1.2 scalars only",
        "on: yes\nat: 12:30\nday: 2024-01-01\nid: 007",
        {"on": "yes", "at": "12:30", "day": "2024-01-01", "id": "007"},
        "yaml",
    ),
    ("YAML with URL", "url: http://grafana:3000/d/abc", {"url": "http://grafana:3000/d/abc"}, "yaml"),
    (
        "key=value lines",
        "namespace=prod\ntail=100\nfollow=false",
        {"namespace": "prod", "tail": 100, "follow": False},
        "pairs",
    ),
    ("comma separated pairs", 'a=1, b=2.5, c=null, d="x"', {"a": 1, "b": 2.5, "c": None, "d": "x"}, "pairs"),
    ("comma separated colon pairs", "namespace: prod, name: api", {"namespace": "prod", "name": "api"}, "pairs"),
    ("quoted commas stay", 'msg="a, b", n=1', {"msg": "a, b", "n": 1}, "pairs"),
    ("list value in pairs", "ids=[1, 2], mode='fast'", {"ids": [1, 2], "mode": "fast"}, "pairs"),
    ("colon inside value", "query: foo: bar", {"query": "foo: bar"}, "pairs"),
    ("commas inside an unquoted value", "query=sum(x) by (a, b)", {"query": "sum(x) by (a, b)"}, "pairs"),
    ("trailing commas on lines", 'name="api",\nnamespace="prod",', {"name": "api", "namespace": "prod"}, "pairs"),
    ("plain text", "payments service OOMKilled", {"input": "payments service OOMKilled"}, "raw"),
    ("command line", "kubectl get pods -n prod", {"input": "kubectl get pods -n prod"}, "raw"),
    ("prose with a colon and spaces in key", "The pod name: web-1", {"input": "The pod name: web-1"}, "raw"),
    ("NaN is not JSON", "NaN", {"input": "NaN"}, "raw"),
    ("multi-line prose", "first line\nsecond line", {"input": "first line\nsecond line"}, "raw"),
]


@pytest.mark.parametrize(("raw", "expected", "source"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cascade(raw: str, expected: dict[str, Any], source: str) -> None:
    parsed = read_action_input(raw)
    assert parsed.arguments == expected
    assert parsed.source == source
    assert parse_action_input(raw) == expected


def test_valid_json_is_never_reinterpreted() -> None:
    raw = '{"query": "a: b\\nc=d", "n": "007"}'
    assert parse_action_input(raw) == {"query": "a: b\nc=d", "n": "007"}


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ('{"a": 1', {"a": 1}),
        ('{"a": {"b": [1, "x', {"a": {"b": [1, "x"]}}),
        ('{"a": "}]"', {"a": "}]"}),
        ('{"a": "say \\"hi', {"a": 'say "hi'}),
    ],
)
def test_repair_closes_in_the_right_order(text: str, repaired: dict[str, Any]) -> None:
    assert repair_json(text) == repaired


@pytest.mark.parametrize("text", ['{"a": 1]', '{"a": tru', '{"a":', "[1, 2", "plain"])
def test_repair_refuses_to_guess(text: str) -> None:
    assert repair_json(text) is None
