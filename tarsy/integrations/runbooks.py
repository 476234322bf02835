"""Runbooks: fetching the one an alert (or its chain) names, and listing the team's runbook folder.

Fetching is guarded because the URL comes from whoever sends the alert: an alert's URL must lie
under an allowed repository prefix (``tarsy.integrations.runbook_policy``), every request
(redirects included) goes to a configured domain, with a size limit and a time limit, and the
GitHub token only ever goes to the configured GitHub origins. Content is cached by URL for
``runbooks.cache_ttl`` (at most ``runbooks.cache_max_bytes`` in all) so a burst of alerts does not
hammer GitHub.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from tarsy.config import SystemConfig
from tarsy.errors import InvalidInputError, TarsyError
from tarsy.integrations.byte_cache import ByteBoundedCache
from tarsy.integrations.github import RepoFolder, parse_tree_url, raw_url_for
from tarsy.integrations.runbook_policy import allowed_prefixes, origin, token_origins, under_prefix

log = logging.getLogger(__name__)

_URL = re.compile(r"https?://\S+")
_MAX_FOLDERS = 100  # contents-API calls per listing; a runbook folder is not a monorepo


class RunbookError(TarsyError):
    """A runbook could not be fetched or listed; the message says which and why.

    GitHub, not the caller, failed: the API answers 502 (bad gateway).
    """

    code = "runbook_error"


class RunbookInfo(BaseModel):
    """One runbook of the configured folder, as the dashboard offers it."""

    name: str
    path: str
    url: str


@dataclass(frozen=True)
class ResolvedRunbook:
    """What goes into the prompt (``content``), where it came from, and why a fetch failed if one did."""

    content: str | None
    url: str | None
    error: str | None


class RunbookService:
    """Built once per process; ``aclose`` releases its HTTP client."""

    def __init__(
        self,
        config: SystemConfig,
        env: Mapping[str, str],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._runbooks = config.runbooks
        self._github = config.github
        self._env = env
        self._clock = clock
        self._cache = ByteBoundedCache(
            ttl=self._runbooks.cache_ttl, max_bytes=self._runbooks.cache_max_bytes, clock=clock
        )
        self._token_origins = token_origins(config)
        self._prefixes = allowed_prefixes(config)
        self._client = httpx.AsyncClient(
            follow_redirects=True, timeout=self._runbooks.timeout, event_hooks={"request": [self._guard]}
        )

    @property
    def repo_url(self) -> str | None:
        return self._runbooks.repo_url

    async def aclose(self) -> None:
        await self._client.aclose()

    def validate_url(self, url: str) -> None:
        """Refuse an alert's runbook URL outside ``system.runbooks.allowed_prefixes`` (or domains)."""
        self._check_domain(url)
        if not under_prefix(url, self._prefixes):
            shown = ", ".join(self._prefixes) or "(none: set system.runbooks.repo_url or allowed_prefixes)"
            raise InvalidInputError(
                f"runbook {_display(url)!r} is not under an allowed prefix; allowed prefixes: {shown} "
                "(system.runbooks.allowed_prefixes)"
            )

    def _check_domain(self, url: str) -> None:
        """Refuse a runbook URL whose host is not in ``system.runbooks.allowed_domains``."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise InvalidInputError(f"runbook {_display(url)!r} is not an http(s) URL")
        if not self._allowed(host):
            raise InvalidInputError(f"runbook domain {host!r} is not allowed; {self._allowed_text()}")

    def _allowed(self, host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in self._allowed_domains())

    def _allowed_domains(self) -> list[str]:
        return [d.lower().strip(".") for d in self._runbooks.allowed_domains]

    def _allowed_text(self) -> str:
        return f"allowed domains: {', '.join(self._allowed_domains()) or '(none)'} (system.runbooks.allowed_domains)"

    async def _guard(self, request: httpx.Request) -> None:
        """Every request, redirects included, goes to an allowed domain or to the configured GitHub origins.

        Checking only the URL we were given would let an open redirect on an allowed host reach
        anything the server can reach.
        """
        host = request.url.host.lower()
        if origin(str(request.url)) not in self._token_origins and not self._allowed(host):
            raise RunbookError(f"runbook request to {host!r} refused (a redirect?); {self._allowed_text()}")

    async def fetch(self, url: str, *, from_alert: bool = False) -> str:
        """The runbook's text; GitHub file pages are fetched as raw content. Raises :class:`RunbookError`.

        ``from_alert``: the URL came with the alert, so it must also lie under an allowed prefix.
        """
        try:
            if from_alert:
                self.validate_url(url)
            else:
                self._check_domain(url)
        except InvalidInputError as exc:
            raise RunbookError(exc.message) from exc
        cached = self._cache.get(url)
        if cached is not None:
            text: str = cached
            return text
        text = await self._download(url, raw_url_for(url, self._github.raw_url) or url)
        self._cache.put(url, text, len(text.encode()))
        return text

    async def resolve(self, alert_runbook: str | None, chain_runbook: str | None) -> ResolvedRunbook:
        """The runbook for a session, never raising: the alert's URL, else the chain's URL or inline text.

        A failed fetch falls through to the next source and is reported in ``error`` so the caller
        can record it on the session.
        """
        errors: list[str] = []
        for source, from_alert in ((alert_runbook, True), (chain_runbook, False)):
            if not source or not source.strip():
                continue
            if not _URL.fullmatch(source.strip()):
                return ResolvedRunbook(source, None, "; ".join(errors) or None)
            url = source.strip()
            try:
                return ResolvedRunbook(await self.fetch(url, from_alert=from_alert), url, "; ".join(errors) or None)
            except RunbookError as exc:
                log.warning("runbook fetch failed: %s", exc.message)
                errors.append(exc.message)
        return ResolvedRunbook(None, None, "; ".join(errors) or None)

    async def list_runbooks(self) -> list[RunbookInfo]:
        """Every ``.md`` file under ``system.runbooks.repo_url`` (recursively); empty when none is configured."""
        repo_url = self._runbooks.repo_url
        if not repo_url:
            return []
        key = f"list:{repo_url}"
        cached = self._cache.get(key)
        if cached is not None:
            listed: list[RunbookInfo] = cached
            return listed
        try:
            folder = parse_tree_url(repo_url)
        except ValueError as exc:
            raise RunbookError(
                f"system.runbooks.repo_url: {exc}; use e.g. https://github.com/<owner>/<repo>/tree/<branch>/<folder>"
            ) from exc
        listed = await self._walk(folder)
        self._cache.put(key, listed, sum(len(r.name) + len(r.path) + len(r.url) for r in listed))
        return listed

    async def _walk(self, folder: RepoFolder) -> list[RunbookInfo]:
        found: list[RunbookInfo] = []
        pending = [folder.path]
        visited = 0
        while pending and visited < _MAX_FOLDERS:
            path = pending.pop()
            visited += 1
            for item in await self._contents(folder, path):
                kind, item_path, name = item.get("type"), str(item.get("path", "")), str(item.get("name", ""))
                if kind == "dir":
                    pending.append(item_path)
                elif kind == "file" and name.lower().endswith(".md"):
                    url = item.get("html_url") or folder.blob_url(item_path)
                    found.append(RunbookInfo(name=name, path=item_path, url=str(url)))
        if pending:
            log.warning("runbook listing stopped after %d folders of %s", _MAX_FOLDERS, self._runbooks.repo_url)
        return sorted(found, key=lambda r: r.path)

    async def _contents(self, folder: RepoFolder, path: str) -> list[dict[str, Any]]:
        url = self._github.api_url.rstrip("/") + folder.contents_path(path)
        params = {"ref": folder.ref} if folder.ref else {}
        where = f"GitHub folder {folder.owner}/{folder.repo}/{path}"
        headers = {"Accept": "application/vnd.github+json", **self._auth_headers(url)}
        try:
            async with asyncio.timeout(self._runbooks.timeout):
                resp = await self._client.get(url, params=params, headers=headers)
        except TimeoutError as exc:
            raise RunbookError(f"listing {where} timed out after {self._runbooks.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise RunbookError(f"listing {where} failed: {type(exc).__name__}") from exc
        if resp.status_code != 200:
            raise RunbookError(f"listing {where} failed: HTTP {resp.status_code}{self._hint(resp.status_code)}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise RunbookError(f"listing {where} failed: GitHub answered with something other than JSON") from exc
        entries = body if isinstance(body, list) else [body]
        return [e for e in entries if isinstance(e, dict)]

    async def _download(self, url: str, target: str) -> str:
        limit = self._runbooks.max_bytes
        shown = _display(url)
        too_big = f"runbook {shown} exceeds the limit of {limit} bytes (system.runbooks.max_bytes)"
        body = bytearray()
        try:
            async with (
                asyncio.timeout(self._runbooks.timeout),
                self._client.stream("GET", target, headers=self._auth_headers(target)) as resp,
            ):
                if resp.status_code != 200:
                    raise RunbookError(
                        f"fetching runbook {shown} failed: HTTP {resp.status_code}{self._hint(resp.status_code)}"
                    )
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise RunbookError(too_big)
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise RunbookError(too_big)
        except TimeoutError as exc:
            raise RunbookError(f"fetching runbook {shown} timed out after {self._runbooks.timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise RunbookError(f"fetching runbook {shown} failed: {type(exc).__name__}") from exc
        return body.decode("utf-8", errors="replace")

    def _auth_headers(self, target: str) -> dict[str, str]:
        """The GitHub token, but only for the configured API and raw-content origins (exact scheme, host
        and port): never for other allowed domains or subdomains."""
        token = self._env.get(self._github.token_env, "").strip()
        if token and origin(target) in self._token_origins:
            return {"Authorization": f"token {token}"}
        return {}

    def _hint(self, status: int) -> str:
        if status in (401, 403):
            return f" (GitHub refused access: check the token in ${self._github.token_env})"
        if status == 404:
            return " (not found; private repositories also answer 404 without a valid token)"
        return ""


def _display(url: str) -> str:
    """A URL fit for messages and the session row: without a query string, which may carry a token."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()
