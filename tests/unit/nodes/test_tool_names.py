"""The canonical ↔ wire tool-name mapping is a bijection onto valid OpenAI/Gemini function names."""

from __future__ import annotations

import random
import re

import pytest

from tarsy.tools.names import (
    MAX_WIRE_LENGTH,
    ToolNameError,
    from_wire,
    join_canonical,
    split_canonical,
    to_wire,
)

FUNCTION_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_-]{0,63}")  # OpenAI's charset, Gemini's first char

EXAMPLES = [
    ("kubernetes-server.pods_list", "kubernetes-server__pods_list"),
    ("argocd.get-application", "argocd__get-application"),
    ("my_server.tool", "my_server__tool"),
    ("k8s.__private__", "k8s____private__"),
    ("k8s._x", "k8s___x"),
    ("prom.query.range", "prom___x_query_2e_range"),
    ("gh.repos/list", "gh___x_repos_2f_list"),
    ("gh.list repos", "gh___x_list_20_repos"),
    ("gh.a_b.c", "gh___x_a_5f_b_2e_c"),
    ("gh._x_tool", "gh___x__5f_x_5f_tool"),
    ("gh.café", "gh___x_caf_e9_"),
]


@pytest.mark.parametrize(("canonical", "wire"), EXAMPLES)
def test_examples(canonical: str, wire: str) -> None:
    assert to_wire(canonical) == wire
    assert from_wire(wire) == canonical
    assert FUNCTION_NAME.fullmatch(wire)


def test_split_at_first_dot() -> None:
    assert split_canonical("prom.query.range") == ("prom", "query.range")
    assert join_canonical("prom", "query.range") == "prom.query.range"


def _random_name(rng: random.Random) -> str:
    server_chars = "abcXYZ019-"
    server = rng.choice("abcxyzKQ") + "".join(
        rng.choice(server_chars) + ("_" if rng.random() < 0.2 else "") for _ in range(rng.randrange(0, 8))
    )
    server = server.rstrip("_")
    alphabet = ["a", "Z", "9", "_", "-", ".", "/", " ", ":", "é", "x", "__", "_x_", "✓"]
    tool = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
    return f"{server}.{tool}"


def _try_wire(name: str) -> str | ToolNameError:
    try:
        return to_wire(name)
    except ToolNameError as exc:
        return exc


def test_round_trip_on_random_names() -> None:
    rng = random.Random(20240501)
    wires = [(name, _try_wire(name)) for name in (_random_name(rng) for _ in range(600))]
    refused = [str(wire) for _, wire in wires if isinstance(wire, ToolNameError)]
    assert all("too long" in message for message in refused)
    accepted = [(name, wire) for name, wire in wires if isinstance(wire, str)]
    assert len(accepted) > 400
    assert any("___x_" not in wire for _, wire in accepted)  # both verbatim and escaped forms occur
    for name, wire in accepted:
        assert FUNCTION_NAME.fullmatch(wire), wire
        assert from_wire(wire) == name


def test_to_wire_is_injective_on_random_names() -> None:
    rng = random.Random(7)
    names = {_random_name(rng) for _ in range(500)}
    wires = {wire for wire in map(_try_wire, names) if isinstance(wire, str)}
    assert len(wires) == sum(isinstance(_try_wire(name), str) for name in names) > 300


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("pods_list", "has no server"),
        ("k8s.", "empty tool part"),
        (".pods", "server id ''"),
        ("k8s__x.pods", "no '__'"),
        ("k8s_.pods", "no trailing '_'"),
        ("9k8s.pods", "start with a letter"),
        ("k 8s.pods", "invalid"),
        ("k8s." + "p" * 60, "too long"),
    ],
)
def test_bad_canonical_names(name: str, message: str) -> None:
    with pytest.raises(ToolNameError, match=re.escape(message)):
        to_wire(name)


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        ("pods_list", "no '__'"),
        ("k8s__", "empty tool part"),
        ("__pods", "server id ''"),
        ("k8s__pods.list", "outside [a-zA-Z0-9_-]"),
        ("k8s___x_pods_2E_list", "malformed escape"),
        ("k8s___x_a_110000_", "does not exist"),
        ("k8s___x_pods", "not in canonical form"),  # the escaped spelling of a plain name
        ("k8s___x_a_02e_", "not in canonical form"),  # a padded code point
        ("k8s__" + "p" * MAX_WIRE_LENGTH, "too long"),
    ],
)
def test_bad_wire_names(wire: str, message: str) -> None:
    with pytest.raises(ToolNameError, match=re.escape(message)):
        from_wire(wire)


def test_tool_name_error_is_a_value_error() -> None:
    assert issubclass(ToolNameError, ValueError)
