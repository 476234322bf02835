"""A fake of the GitHub parts TARSy calls: the contents API and raw file content.

One server holds both, under ``/api`` (point ``system.github.api_url`` at :attr:`FakeGitHub.api_url`)
and ``/raw`` (``system.github.raw_url``), so a test also proves the configured bases are honoured.
Files live in ``files[(owner, repo, ref)][path]``; ``main`` is the default branch.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.fakes.serving import serve

DEFAULT_BRANCH = "main"


@dataclass
class SeenRequest:
    path: str
    query: str
    authorization: str | None


@dataclass
class FakeGitHub:
    token: str | None = None
    """When set, requests must send ``Authorization: token <token>`` or get 401 (like a private repo)."""
    files: dict[tuple[str, str, str], dict[str, bytes]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    """Request path (e.g. ``/raw/acme/sre/main/x.md``) → HTTP status to answer instead."""
    delays: dict[str, float] = field(default_factory=dict)
    """Request path → seconds to wait before answering."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Request path → ``Location`` of a 302."""
    requests: list[SeenRequest] = field(default_factory=list)
    base_url: str = ""

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api"

    @property
    def raw_url(self) -> str:
        return f"{self.base_url}/raw"

    def add_file(self, owner: str, repo: str, path: str, content: str | bytes, ref: str = DEFAULT_BRANCH) -> str:
        """Store a file and return its github.com page (the URL an alert would carry)."""
        data = content.encode() if isinstance(content, str) else content
        self.files.setdefault((owner, repo, ref), {})[path] = data
        return f"https://github.com/{owner}/{repo}/blob/{ref}/{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/repos/{owner}/{repo}/contents", self._contents),
                Route("/api/repos/{owner}/{repo}/contents/{path:path}", self._contents),
                Route("/raw/{owner}/{repo}/{ref}/{path:path}", self._raw),
            ]
        )

    async def _intercept(self, request: Request) -> Response | None:
        """Record the request and apply the arranged delay, redirect, status or token check."""
        path = request.url.path
        self.requests.append(SeenRequest(path, request.url.query, request.headers.get("authorization")))
        if path in self.delays:
            await asyncio.sleep(self.delays[path])
        if path in self.redirects:
            return RedirectResponse(self.redirects[path], status_code=302)
        if path in self.statuses:
            return JSONResponse({"message": "arranged failure"}, status_code=self.statuses[path])
        if self.token is not None and request.headers.get("authorization") != f"token {self.token}":
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return None

    async def _raw(self, request: Request) -> Response:
        arranged = await self._intercept(request)
        if arranged is not None:
            return arranged
        p = request.path_params
        content = self.files.get((p["owner"], p["repo"], p["ref"]), {}).get(p["path"])
        if content is None:
            return PlainTextResponse("404: Not Found", status_code=404)
        return Response(content, media_type="text/plain; charset=utf-8")

    async def _contents(self, request: Request) -> Response:
        arranged = await self._intercept(request)
        if arranged is not None:
            return arranged
        p = request.path_params
        owner, repo, path = p["owner"], p["repo"], p.get("path", "").strip("/")
        ref = request.query_params.get("ref", DEFAULT_BRANCH)
        tree = self.files.get((owner, repo, ref), {})
        if path in tree:
            entry = self._entry(owner, repo, ref, path, "file")
            entry["content"] = base64.b64encode(tree[path]).decode()
            return JSONResponse(entry)
        prefix = f"{path}/" if path else ""
        children: dict[str, str] = {}
        for file_path in tree:
            if file_path.startswith(prefix):
                head, _, rest = file_path[len(prefix) :].partition("/")
                children[prefix + head] = "dir" if rest else "file"
        if not children:
            return JSONResponse({"message": "Not Found", "status": "404"}, status_code=404)
        return JSONResponse([self._entry(owner, repo, ref, c, kind) for c, kind in sorted(children.items())])

    def _entry(self, owner: str, repo: str, ref: str, path: str, kind: str) -> dict[str, Any]:
        page = "blob" if kind == "file" else "tree"
        return {
            "type": kind,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "html_url": f"https://github.com/{owner}/{repo}/{page}/{ref}/{path}",
            "download_url": f"{self.raw_url}/{owner}/{repo}/{ref}/{path}" if kind == "file" else None,
        }


@asynccontextmanager
async def running_fake_github(fake: FakeGitHub | None = None) -> AsyncIterator[FakeGitHub]:
    github = fake or FakeGitHub()
    async with serve(github.app()) as base_url:
        github.base_url = base_url
        yield github
