"""Property test over alert payloads: whatever ``POST /api/v1/alerts`` accepts completes.

Hypothesis generates bodies with awkward data (integers past 64 bits, NaN and Infinity, NUL,
unpaired surrogates, deep nesting, odd keys) against a real TARSy with a scripted model and
PostgreSQL. Each answer is a 202 or a documented 4xx in the error shape (never a 5xx); every
accepted session must then complete. Before, a 64-bit overflow or data nested 300 deep was accepted
and the session failed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_EXAMPLES = 40
REFUSALS = {400, 413, 422}

_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ["\x00", "a\ud800b", "\udfff", "", " ", "NaN", "{[", "\\u0000"]
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**63 - 1, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | _text
)
_json = st.recursive(
    _scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4), max_leaves=12
)


def _nest(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"n": value}
    return value


_data = st.dictionaries(_text, _json, max_size=5) | _text | st.integers(1, 40).map(_nest)
_bodies = st.fixed_dictionaries({"data": _data}, optional={"alert_type": st.sampled_from(["kubernetes", "x\x00"])})


def _generate(base_url: str) -> list[str]:
    """Post every generated body; returns the ids of accepted sessions."""
    accepted: list[str] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:

        @given(body=_bodies)
        @example(body={"data": {"replicas": 2**64 - 1}})
        @example(body={"data": {"replicas": 2**64}})
        @example(body={"data": {"ratio": -1.3694478950057564e40}})  # comes back from jsonb as an integer
        @example(body={"data": _nest(29)})
        @example(body={"data": _nest(31)})
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def post(body: dict[str, Any]) -> None:
            content = json.dumps(body, allow_nan=True)  # NaN/Infinity as their (non-JSON) tokens
            resp = client.post("/api/v1/alerts", content=content, headers={"content-type": "application/json"})
            assert resp.status_code == 202 or resp.status_code in REFUSALS, (resp.status_code, resp.text, content)
            answer = resp.json()
            if resp.status_code == 202:
                accepted.append(answer["session_id"])
            else:
                assert set(answer) == {"error"} and {"code", "message", "fields"} <= set(answer["error"])

        post()
    return accepted


async def test_every_accepted_alert_completes(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "Checked; nothing to fix."}]}})
    async with running_tarsy(config, database_url, workers=2) as tarsy:
        accepted = await asyncio.to_thread(_generate, tarsy.base_url)
        assert len(accepted) >= 5, "too few accepted examples to mean anything"
        for session_id in accepted:
            session = await tarsy.wait_status(session_id, {"completed", "failed", "timed_out"}, timeout=120)
            assert session["status"] == "completed", (session_id, session["error_message"], session["alert_data"])
