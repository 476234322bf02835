"""Who may name which runbook, and where the GitHub token may go: pure rules, testable as tables.

An alert's runbook URL is chosen by whoever can send an alert, so it must lie under an allowed
repository prefix (``system.runbooks.allowed_prefixes``; by default the repository of
``system.runbooks.repo_url``, as github.com pages and as raw content). The GitHub token goes only
to the exact origins (scheme, host, port) of ``system.github.api_url`` and ``raw_url``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from tarsy.config import SystemConfig
from tarsy.integrations.github import parse_tree_url

Origin = tuple[str, str, int | None]


def origin(url: str) -> Origin:
    """``(scheme, host, port)`` with the scheme's default port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"https": 443, "http": 80}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def token_origins(config: SystemConfig) -> frozenset[Origin]:
    """Where the GitHub token may be sent: the configured API and raw-content origins only."""
    return frozenset(origin(url) for url in (config.github.api_url, config.github.raw_url))


def allowed_prefixes(config: SystemConfig) -> tuple[str, ...]:
    """The configured prefixes, else the ``repo_url`` repository (github.com and raw content); else none."""
    runbooks = config.runbooks
    if runbooks.allowed_prefixes is not None:
        return tuple(_normalized_prefix(p) for p in runbooks.allowed_prefixes)
    if not runbooks.repo_url:
        return ()
    try:
        folder = parse_tree_url(runbooks.repo_url)
    except ValueError:
        return ()
    raw = config.github.raw_url.rstrip("/")
    return (
        _normalized_prefix(f"https://github.com/{folder.owner}/{folder.repo}/"),
        _normalized_prefix(f"https://raw.githubusercontent.com/{folder.owner}/{folder.repo}/"),
        _normalized_prefix(f"{raw}/{folder.owner}/{folder.repo}/"),
    )


def under_prefix(url: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``url`` (query and fragment aside) lies under one of ``prefixes``.

    A path with ``.``/``..`` segments (also percent-encoded) is never under a prefix: it could
    climb out of the repository once a server normalizes it.
    """
    parts = urlsplit(url)
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return False
    plain = _normalized_prefix(parts._replace(query="", fragment="").geturl(), slash=False)
    return any(plain.startswith(prefix) for prefix in prefixes)


def _normalized_prefix(url: str, *, slash: bool = True) -> str:
    """Scheme and host in lower case; a prefix ends with ``/`` so ``acme/sre`` never matches ``acme/sre-x``."""
    parts = urlsplit(url.strip())
    text = parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()
    return text if not slash or text.endswith("/") else text + "/"
