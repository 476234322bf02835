"""A LangGraph-SDK-compatible API under ``/langgraph`` (docs/langgraph.md): assistants, threads, runs.

``langgraph_sdk.get_client(url="http://host:8080/langgraph")`` works unchanged; see ``service`` for
how threads and runs map onto sessions and chat messages.
"""

from __future__ import annotations

from fastapi import APIRouter

from tarsy.api.routes.langgraph import assistants, runs, threads

router = APIRouter()
router.include_router(assistants.router)
router.include_router(threads.router)
router.include_router(runs.router)
