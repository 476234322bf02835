"""The one table of who may call what: (method, route path) → the role it needs.

A route missing here is refused to everyone but admins and fails ``tests/security`` (which walks the
app's routes), so adding a route means deciding its rule. Reads need ``viewer``; state changes
``operator``; system actions ``admin``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from tarsy.config import Role

Rule = Role | Literal["public", "alertmanager", "static"]
"""``public``: no identity (only via ``system.auth.public_paths``); ``alertmanager``: the receiver's
own bearer token; ``static``: dashboard files are public, unknown ``/api/…`` paths need ``viewer``."""

SESSION = "/api/v1/sessions/{session_id}"
LG_ASSISTANT = "/langgraph/assistants/{assistant_id}"
LG_THREAD = "/langgraph/threads/{thread_id}"

RULES: dict[tuple[str, str], Rule] = {
    # Health, probes and metrics: public when listed in system.auth.public_paths (the default), else viewer.
    ("GET", "/health"): "viewer",
    ("GET", "/metrics"): "viewer",
    ("GET", "/health/live"): "viewer",
    ("GET", "/health/ready"): "viewer",
    ("GET", "/openapi.json"): "viewer",
    ("GET", "/docs"): "viewer",
    ("GET", "/docs/oauth2-redirect"): "viewer",
    ("GET", "/redoc"): "viewer",
    ("GET", "/api/v1/whoami"): "viewer",
    ("GET", "/api/v1/alert-types"): "viewer",
    ("GET", "/api/v1/sessions"): "viewer",
    ("GET", "/api/v1/sessions/active"): "viewer",
    ("GET", "/api/v1/sessions/filter-options"): "viewer",
    ("GET", "/api/v1/sessions/events"): "viewer",
    ("GET", "/api/v1/sessions/triage/{group}"): "viewer",
    ("PATCH", "/api/v1/sessions/review"): "operator",
    ("GET", SESSION): "viewer",
    ("GET", f"{SESSION}/summary"): "viewer",
    ("GET", f"{SESSION}/trace"): "viewer",
    ("GET", f"{SESSION}/trace/llm/{{interaction_id}}"): "viewer",
    ("GET", f"{SESSION}/trace/mcp/{{interaction_id}}"): "viewer",
    ("GET", f"{SESSION}/timeline"): "viewer",
    ("GET", f"{SESSION}/scores"): "viewer",
    ("GET", f"{SESSION}/memories"): "viewer",
    ("GET", "/api/v1/memories"): "viewer",
    ("GET", "/api/v1/memories/{memory_id}"): "viewer",
    ("PATCH", "/api/v1/memories/{memory_id}"): "operator",
    ("DELETE", "/api/v1/memories/{memory_id}"): "operator",
    ("GET", f"{SESSION}/chat"): "viewer",
    ("GET", f"{SESSION}/events"): "viewer",
    ("GET", f"{SESSION}/checkpoints"): "viewer",
    ("GET", "/api/v1/system/queue"): "viewer",
    ("GET", "/api/v1/system/mcp-servers"): "viewer",
    ("GET", "/api/v1/system/skills"): "viewer",
    ("GET", "/api/v1/system/warnings"): "viewer",
    ("GET", "/api/v1/system/default-tools"): "viewer",
    ("GET", "/api/v1/system/config"): "viewer",
    ("GET", "/api/v1/runbooks"): "viewer",
    ("GET", "/api/v1/usage/summary"): "viewer",
    ("POST", "/api/v1/alerts"): "operator",
    ("POST", f"{SESSION}/cancel"): "operator",
    ("POST", f"{SESSION}/score"): "operator",  # spends model tokens, like submitting an alert
    ("POST", f"{SESSION}/fork"): "operator",  # creates work, like submitting an alert
    ("POST", f"{SESSION}/approvals/{{approval_id}}"): "operator",
    ("POST", f"{SESSION}/chat/messages"): "operator",
    ("POST", f"{SESSION}/chat/cancel"): "operator",
    ("POST", "/api/v1/alerts/alertmanager"): "alertmanager",
    # The LangGraph SDK API (tarsy/api/routes/langgraph): searches are POSTed reads.
    ("POST", "/langgraph/assistants/search"): "viewer",
    ("GET", f"{LG_ASSISTANT}"): "viewer",
    ("GET", f"{LG_ASSISTANT}/graph"): "viewer",
    ("GET", f"{LG_ASSISTANT}/schemas"): "viewer",
    ("POST", "/langgraph/threads"): "operator",
    ("POST", "/langgraph/threads/search"): "viewer",
    ("GET", LG_THREAD): "viewer",
    ("GET", f"{LG_THREAD}/state"): "viewer",
    ("POST", f"{LG_THREAD}/history"): "viewer",
    ("POST", f"{LG_THREAD}/runs"): "operator",
    ("POST", f"{LG_THREAD}/runs/wait"): "operator",
    ("POST", f"{LG_THREAD}/runs/stream"): "operator",
    ("GET", f"{LG_THREAD}/runs/{{run_id}}"): "viewer",
    ("GET", f"{LG_THREAD}/runs/{{run_id}}/join"): "viewer",
    ("POST", f"{LG_THREAD}/runs/{{run_id}}/cancel"): "operator",
    ("GET", "/{path:path}"): "static",
}

UNLISTED: Role = "admin"
"""What a route without a rule needs: fail closed, and the route-table test names it."""

API_PREFIXES = ("/api/", "/langgraph/", "/docs", "/redoc", "/openapi.json")


def route_paths(routes: Iterable[BaseRoute]) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, HEAD folded into GET."""
    found: list[tuple[str, str]] = []
    for context in iter_route_contexts(list(routes)):
        for method in sorted(context.methods or ()):
            if method != "HEAD" and context.path:
                found.append((method, context.path))
    return found


def match(routes: Iterable[BaseRoute], scope: Scope) -> str | None:
    """The path template of the route that will answer (a method mismatch still names its route)."""
    partial: str | None = None
    for context in iter_route_contexts(list(routes)):
        found, _ = context.matches(scope)
        if found == Match.FULL:
            path: str | None = context.path
            return path
        if found == Match.PARTIAL and partial is None:
            partial = context.path
    return partial


Decision = Role | Literal["public", "alertmanager"]


def rule_for(method: str, path: str | None, request_path: str, public_paths: Iterable[str]) -> Decision:
    """The rule for a request: by its matched route, viewer for unknown paths."""
    if path is None:
        return "viewer"
    if path in public_paths:
        return "public"
    rule = RULES.get(("GET" if method == "HEAD" else method, path), UNLISTED)
    if rule == "static":
        return "viewer" if request_path.startswith(API_PREFIXES) else "public"
    return rule
