"""The runbooks of the configured GitHub folder, for the dashboard's alert form."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tarsy.api.deps import ServicesDep
from tarsy.api.schemas import ErrorResponse
from tarsy.integrations.runbooks import RunbookError, RunbookInfo

router = APIRouter(prefix="/api/v1", tags=["runbooks"])


class RunbookList(BaseModel):
    runbooks: list[RunbookInfo]
    repo_url: str | None


@router.get(
    "/runbooks",
    response_model=RunbookList,
    responses={502: {"model": ErrorResponse, "description": "GitHub could not be listed; the message says why"}},
)
async def list_runbooks(services: ServicesDep) -> RunbookList | JSONResponse:
    """Every ``.md`` file under ``system.runbooks.repo_url``; an empty list when none is configured."""
    try:
        runbooks = await services.runbooks.list_runbooks()
    except RunbookError as exc:
        # GitHub, not the caller, failed: a bad gateway, with the reason (status, timeout, token hint).
        body = ErrorResponse.model_validate({"error": {"code": exc.code, "message": exc.message}})
        return JSONResponse(body.model_dump(exclude_none=True), status_code=502)
    return RunbookList(runbooks=runbooks, repo_url=services.runbooks.repo_url)
