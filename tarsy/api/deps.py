"""FastAPI dependency aliases: routes receive process resources, never import them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tarsy.runtime.service import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def author_of(request: Request) -> str:
    """Who is asking, from the auth proxy's headers."""
    for header in ("X-Forwarded-User", "X-Forwarded-Email"):
        value = request.headers.get(header, "").strip()
        if value:
            return value
    return "api-client"


AuthorDep = Annotated[str, Depends(author_of)]
