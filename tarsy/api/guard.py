"""The front door: Host, Origin, identity and role checks before any route runs (``docs/security.md``).

One ASGI middleware, so streaming routes (SSE) and bodies are covered alike and nothing is read
from a request that is going to be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tarsy.api import access
from tarsy.api.auth import RANK, Authenticator, Identity
from tarsy.api.errors import error_response
from tarsy.api.origin import OriginPolicy
from tarsy.config import TarsyConfig

IDENTITY_KEY = "identity"
"""Where the caller's :class:`Identity` is kept in ``request.state``."""


@dataclass(frozen=True)
class GuardPolicy:
    auth: Authenticator
    origins: OriginPolicy
    public_paths: frozenset[str]


def build_policy(config: TarsyConfig, bind_host: str, env: Mapping[str, str]) -> GuardPolicy:
    """Everything checked at start-up; raises ``ConfigError`` naming the setting to fix."""
    return GuardPolicy(
        auth=Authenticator.build(config, bind_host, env),
        origins=OriginPolicy.build(config.system, bind_host),
        public_paths=frozenset(config.system.auth.public_paths),
    )


def install_guard(app: FastAPI) -> None:
    """Outermost middleware; the policy is set on ``app.state.guard`` by the lifespan."""
    app.add_middleware(Guard)


def _body(code: str, message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """The guard's refusals; the docs test reads the codes of these calls."""
    return error_response(code, message, status, headers)


class Guard:
    """Refuses what the policy forbids; otherwise records the caller in ``request.state.identity``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # No route takes WebSockets; should one appear, it must go through these checks first.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        application: Any = scope["app"]
        policy: GuardPolicy | None = getattr(application.state, "guard", None)
        refused: JSONResponse | None
        if policy is None:
            refused = _body("not_ready", "TARSy is still starting; retry shortly", 503)
        else:
            refused, identity = _check(policy, application, scope)
            if identity is not None:
                scope.setdefault("state", {})[IDENTITY_KEY] = identity
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _check(policy: GuardPolicy, application: Any, scope: Scope) -> tuple[JSONResponse | None, Identity | None]:
    headers = Headers(scope=scope)
    method: str = scope["method"]
    path = access.match(application.router.routes, scope)
    rule = access.rule_for(method, path, scope["path"], policy.public_paths)
    if rule == "public":
        return None, None
    host = headers.get("host")
    problem = policy.origins.host_problem(host)
    if problem:
        return _body("host_not_allowed", problem, 400), None
    problem = policy.origins.origin_problem(method, headers.get("origin"), scope.get("scheme", "http"), host)
    if problem:
        return _body("origin_not_allowed", problem, 403), None
    if rule == "alertmanager":
        if policy.auth.alertmanager_allowed(headers):
            return None, Identity("alertmanager", "operator")
        env = policy.auth.alertmanager_env
        message = (
            f"the Alertmanager receiver needs the bearer token from the environment variable {env} "
            "(system.alertmanager.bearer_token_env), sent via Alertmanager's http_config.authorization"
        )
        return _body("unauthenticated", message, 401, {"WWW-Authenticate": 'Bearer realm="tarsy-alertmanager"'}), None
    client = scope.get("client")
    identity = policy.auth.identify(headers, client[0] if client else None)
    if identity is None:
        return _unauthenticated(policy), None
    if RANK[identity.role] < RANK[rule]:
        message = f"{method} {path} needs the {rule} role; {identity.name} has {identity.role}"
        return _body("forbidden", message, 403), identity
    return None, identity


def _unauthenticated(policy: GuardPolicy) -> JSONResponse:
    if policy.auth.mode == "token":
        message = "sign in: send 'Authorization: Bearer <token>' with a token from TARSY_API_TOKENS"
        return _body("unauthenticated", message, 401, {"WWW-Authenticate": 'Bearer realm="tarsy"'})
    message = (
        "no identity: requests must come through the auth proxy (system.auth.trusted_proxies) "
        "with X-Forwarded-User or X-Forwarded-Email"
    )
    return _body("unauthenticated", message, 401)
