"""The runbooks of the configured GitHub folder, for the dashboard's alert form."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tarsy.api.deps import ServicesDep
from tarsy.api.schemas import ErrorResponse
from tarsy.integrations.runbooks import RunbookInfo

router = APIRouter(prefix="/api/v1", tags=["runbooks"])


class RunbookList(BaseModel):
    runbooks: list[RunbookInfo]
    repo_url: str | None


@router.get(
    "/runbooks",
    response_model=RunbookList,
    responses={502: {"model": ErrorResponse, "description": "GitHub could not be listed; the message says why"}},
)
async def list_runbooks(services: ServicesDep) -> RunbookList:
    """Every ``.md`` file under ``system.runbooks.repo_url``; an empty list when none is configured.

    When GitHub, not the caller, fails, the ``RunbookError`` becomes a 502
    with the reason (status, timeout, token hint).
    """
    runbooks = await services.runbooks.list_runbooks()
    return RunbookList(runbooks=runbooks, repo_url=services.runbooks.repo_url)
