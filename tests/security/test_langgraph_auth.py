"""The LangGraph SDK carries TARSy's token in ``headers=``; roles apply as on the rest of the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import AuthenticationError, PermissionDeniedError

from tests.security.conftest import SLOW, TOKENS_ENV, auth_config, bearer
from tests.support.server import running_tarsy

pytestmark = [pytest.mark.e2e]

ALERT = {"alert_type": "kubernetes", "data": {"pod": "api-1"}}


async def test_viewer_reads_operator_runs_and_cancels(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, SLOW, auth={"mode": "token", "public_paths": ["/health"]})
    async with running_tarsy(config, database_url, workers=1, env=TOKENS_ENV) as tarsy:
        url = f"{tarsy.base_url}/langgraph"
        anonymous = get_client(url=url)
        viewer = get_client(url=url, headers=bearer("vera"))
        operator = get_client(url=url, headers=bearer("otto"))
        with pytest.raises(AuthenticationError):
            await anonymous.assistants.search()
        assert await viewer.assistants.search()
        with pytest.raises(PermissionDeniedError, match="operator"):
            await viewer.threads.create()
        thread = await operator.threads.create()
        run = await operator.runs.create(thread["thread_id"], "kubernetes", input=ALERT)
        with pytest.raises(PermissionDeniedError):
            await viewer.runs.cancel(thread["thread_id"], run["run_id"])
        assert (await viewer.runs.get(thread["thread_id"], run["run_id"]))["run_id"] == thread["thread_id"]
        await operator.runs.cancel(thread["thread_id"], run["run_id"])
        tarsy.client.headers.update(bearer("vera"))
        session = await tarsy.wait_status(run["run_id"], {"cancelled"})
    assert session["cancelled_by"] == "otto"
    assert session["author"] == "otto"
