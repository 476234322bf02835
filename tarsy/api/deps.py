"""FastAPI dependency aliases: routes receive process resources, never import them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tarsy.api.auth import ANONYMOUS, Identity
from tarsy.api.guard import IDENTITY_KEY
from tarsy.runtime.service import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def identity_of(request: Request) -> Identity:
    """The caller as the guard established it (``docs/security.md``); never a header taken on trust."""
    identity: Identity | None = getattr(request.state, IDENTITY_KEY, None)
    return identity if identity is not None else Identity(ANONYMOUS, "admin")


def author_of(request: Request) -> str:
    """Who is asking: recorded as the author of sessions and chat messages, and as who cancelled."""
    return identity_of(request).name


IdentityDep = Annotated[Identity, Depends(identity_of)]
AuthorDep = Annotated[str, Depends(author_of)]
