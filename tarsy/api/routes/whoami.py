"""Who the caller is, as the server sees it (the dashboard shows it in its header)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from tarsy.api.deps import IdentityDep
from tarsy.api.guard import GuardPolicy
from tarsy.config import Role

router = APIRouter(prefix="/api/v1", tags=["system"])


class WhoAmI(BaseModel):
    name: str
    role: Role
    mode: Literal["none", "token", "proxy"]


@router.get("/whoami", response_model=WhoAmI)
async def whoami(identity: IdentityDep, request: Request) -> WhoAmI:
    policy: GuardPolicy = request.app.state.guard
    return WhoAmI(name=identity.name, role=identity.role, mode=policy.auth.mode)
