"""Redacting the effective configuration for display (``GET /api/v1/system/config``).

The configuration is shown to operators so they can see what a replica runs; every value that can
carry a credential is replaced by :data:`REDACTED` before it leaves the process:

- values under a key that names a secret (``token``, ``password``, ``api_key``, ``authorization``, ...);
  a key ending in ``_env`` holds the *name* of an environment variable, not its value, and is kept;
- every value of an MCP server's ``env`` (stdio) and ``headers`` (http/sse) mapping;
- the user-info part of any URL (``https://user:pass@host`` → ``https://***@host``) and the values
  of secret-named query parameters;
- any occurrence of a secret value given in ``secrets`` (the values of the environment variables the
  configuration names in its ``*_env`` keys), wherever it was interpolated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "***"

_SECRET_KEY = re.compile(
    r"(token|secret|password|passwd|api[_-]?key|apikey|authorization|credential|cookie|private[_-]?key|dsn)",
    re.IGNORECASE,
)
_ALL_VALUES_SECRET = {"env", "headers"}  # stdio environment, HTTP headers: every value may be a credential
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s?#]+)@")
_SECRET_QUERY = re.compile(
    r"(?P<name>[?&;](?:[^=&;#\s]*(?:token|secret|password|passwd|key|sig|signature|auth)[^=&;#\s]*)=)[^&;#\s]*",
    re.IGNORECASE,
)
_MIN_SECRET_LENGTH = 4  # shorter "secrets" would redact ordinary words


def is_secret_key(key: str) -> bool:
    """Does a key name a credential (and not the name of the variable holding one)?"""
    return not key.lower().endswith("_env") and _SECRET_KEY.search(key) is not None


def secret_env_values(data: Any, env: Mapping[str, str]) -> list[str]:
    """The values of the environment variables the configuration names in its ``*_env`` keys."""
    names: set[str] = set()
    _collect_env_names(data, names)
    return [env[name] for name in sorted(names) if len(env.get(name, "")) >= _MIN_SECRET_LENGTH]


def redact_config(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of ``data`` (plain JSON-like values) with every secret-bearing value replaced."""
    known = sorted({s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)
    return _redact(data, known, parent_key="")


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Credentials in URLs and any of ``secrets`` replaced in one string."""
    for secret in sorted({s for s in secrets if len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    return _SECRET_QUERY.sub(lambda m: f"{m['name']}{REDACTED}", text)


def _redact(value: Any, secrets: list[str], parent_key: str) -> Any:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if parent_key in _ALL_VALUES_SECRET or (is_secret_key(name) and item not in (None, "", [], {})):
                out[name] = _redact_leaves(item)
            else:
                out[name] = _redact(item, secrets, name)
        return out
    if isinstance(value, list | tuple):
        return [_redact(item, secrets, parent_key) for item in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def _redact_leaves(value: Any) -> Any:
    """Keep the shape (so operators see *that* something is set), drop every scalar."""
    if isinstance(value, Mapping):
        return {str(k): _redact_leaves(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_leaves(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    return REDACTED


def _collect_env_names(value: Any, names: set[str]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower().endswith("_env") and isinstance(item, str) and item:
                names.add(item)
            else:
                _collect_env_names(item, names)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect_env_names(item, names)
