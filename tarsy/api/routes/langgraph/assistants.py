"""Assistants: one per configured chain (its id is the chain id) and ``chat``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import TypeAdapter

from tarsy.api.deps import ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.routes.langgraph.schemas import Search
from tarsy.api.routes.langgraph.service import CHAT_ASSISTANT
from tarsy.errors import NotFoundError
from tarsy.graphs.chat import build_chat_graph
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.runtime.service import Services

router = APIRouter(prefix="/langgraph", tags=["langgraph"])
EPOCH = datetime(2025, 1, 1, tzinfo=UTC).isoformat()


def _assistant(assistant_id: str, description: str) -> dict[str, Any]:
    return {
        "assistant_id": assistant_id,
        "graph_id": assistant_id,
        "name": assistant_id,
        "description": description,
        "config": {},
        "context": {},
        "metadata": {},
        "version": 1,
        "created_at": EPOCH,
        "updated_at": EPOCH,
    }


def _assistants(services: Services) -> list[dict[str, Any]]:
    chains = services.config.agent_chains
    found = [
        _assistant(chain_id, chain.description or f"alert types: {', '.join(chain.alert_types)}")
        for chain_id, chain in sorted(chains.items())
    ]
    return [*found, _assistant(CHAT_ASSISTANT, "Follow-up chat on a finished investigation's thread")]


def _graph(services: Services, assistant_id: str) -> SessionGraph:
    config = services.config
    if assistant_id == CHAT_ASSISTANT:
        return build_chat_graph(config, config.chain_for_alert_type(config.defaults.alert_type)[0])
    if assistant_id not in config.agent_chains:
        raise NotFoundError(f"assistant '{assistant_id}' not found; assistants are the chain ids and 'chat'")
    return build_chain_graph(config, assistant_id)


@router.post("/assistants/search", responses={400: ERROR_RESPONSES[400]})
async def search_assistants(body: Search, services: ServicesDep) -> list[dict[str, Any]]:
    return _assistants(services)[body.offset : body.offset + body.limit]


@router.get("/assistants/{assistant_id}", responses={404: ERROR_RESPONSES[404]})
async def get_assistant(assistant_id: str, services: ServicesDep) -> dict[str, Any]:
    for assistant in _assistants(services):
        if assistant["assistant_id"] == assistant_id:
            return assistant
    raise NotFoundError(f"assistant '{assistant_id}' not found; assistants are the chain ids and 'chat'")


@router.get("/assistants/{assistant_id}/graph", responses={404: ERROR_RESPONSES[404]})
async def get_assistant_graph(assistant_id: str, services: ServicesDep) -> dict[str, Any]:
    drawn: dict[str, Any] = _graph(services, assistant_id).get_graph().to_json()
    return drawn


@router.get("/assistants/{assistant_id}/schemas", responses={404: ERROR_RESPONSES[404]})
async def get_assistant_schemas(assistant_id: str, services: ServicesDep) -> dict[str, Any]:
    graph = _graph(services, assistant_id)
    return {
        "graph_id": assistant_id,
        "input_schema": graph.get_input_jsonschema(),
        "output_schema": graph.get_output_jsonschema(),
        "state_schema": TypeAdapter(graph.builder.state_schema).json_schema(),
        "config_schema": None,
        "context_schema": None,
    }
