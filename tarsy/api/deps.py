"""FastAPI dependency aliases: routes receive process resources, never import them.

The dependencies are ``async def`` although they do not wait: FastAPI runs a plain ``def`` one in its
thread pool, a thread hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tarsy.api.auth import ANONYMOUS, Identity
from tarsy.api.guard import IDENTITY_KEY
from tarsy.runtime.service import Services


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def identity_of(request: Request) -> Identity:
    """The caller as the guard established it (``docs/security.md``); never a header taken on trust."""
    identity: Identity | None = getattr(request.state, IDENTITY_KEY, None)
    return identity if identity is not None else Identity(ANONYMOUS, "admin")


async def author_of(identity: Annotated[Identity, Depends(identity_of)]) -> str:
    """Who is asking: recorded as the author of sessions and chat messages, and as who cancelled."""
    return identity.name


IdentityDep = Annotated[Identity, Depends(identity_of)]
AuthorDep = Annotated[str, Depends(author_of)]
