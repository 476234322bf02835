"""A database outage met while a model streams is the store's failure, never the provider's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.errors import ProviderError, StoreUnavailableError
from tarsy.nodes.memory_recorder import MemoryRecorder
from tests.unit.agent.factories import AgentRun, answer_turn, make_config, write_script


class LostDatabase(MemoryRecorder):
    """Records like the real recorder until the database goes away mid-stream."""

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        raise StoreUnavailableError("the database is unavailable (PoolTimeout)")


async def test_recorder_outage_during_the_stream_is_not_a_provider_error(tmp_path: Path) -> None:
    config = make_config(write_script(tmp_path, [answer_turn("native-thinking", "Root cause: OOMKilled.")]))
    run = AgentRun(config, recorder=LostDatabase())

    with pytest.raises(StoreUnavailableError) as raised:
        await run.run()

    assert not isinstance(raised.value, ProviderError)
    assert run.llm_calls == [], "nothing is recorded as a failed model call: the call resumes later"
