"""Who is calling: bearer tokens, an auth proxy's headers, or nobody (``system.auth``).

The policy is built once at start-up from the config, the bind address and the environment; every
problem found there (a malformed ``TARSY_API_TOKENS`` entry, ``none`` on a public address) is a
start-up error naming the setting, never a surprise on the first request.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from tarsy.config import ConfigError, ConfigIssue, Role, TarsyConfig

TOKENS_ENV = "TARSY_API_TOKENS"
MIN_TOKEN_CHARS = 16
ANONYMOUS = "api-client"
"""The author of what an unauthenticated caller does in ``none`` mode (the column's old default)."""

ROLES: tuple[Role, ...] = get_args(Role)
RANK: dict[Role, int] = {role: rank for rank, role in enumerate(ROLES)}

Mode = Literal["none", "token", "proxy"]


@dataclass(frozen=True)
class Identity:
    name: str
    role: Role


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def parse_tokens(raw: str) -> dict[bytes, Identity]:
    """``name:role:token,...`` → identities keyed by the token's digest; errors never echo a token."""
    tokens: dict[bytes, Identity] = {}
    problems: list[str] = []
    for number, entry in enumerate((e.strip() for e in raw.split(",")), start=1):
        if not entry:
            continue
        parts = entry.split(":", 2)
        if len(parts) != 3 or not all(p.strip() for p in parts):
            problems.append(f"entry {number} is not name:role:token")
            continue
        name, role, token = (p.strip() for p in parts)
        if role not in ROLES:
            problems.append(f"entry {number} ({name}) has unknown role '{role}'; roles: {', '.join(ROLES)}")
        elif len(token) < MIN_TOKEN_CHARS:
            problems.append(f"entry {number} ({name}) has a token shorter than {MIN_TOKEN_CHARS} characters")
        elif _digest(token) in tokens:
            problems.append(f"entry {number} ({name}) repeats the token of another entry")
        else:
            tokens[_digest(token)] = Identity(name, role)
    if not problems and not tokens:
        problems.append("is empty; system.auth.mode 'token' needs at least one name:role:token entry")
    if problems:
        raise ConfigError(ConfigIssue("environment", TOKENS_ENV, p) for p in problems)
    return tokens


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Authenticator:
    mode: Mode
    tokens: Mapping[bytes, Identity]
    trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    proxy_role: Role
    roles: Mapping[str, Role]
    alertmanager_token: bytes | None
    alertmanager_env: str

    @classmethod
    def build(cls, config: TarsyConfig, bind_host: str, env: Mapping[str, str]) -> Authenticator:
        auth = config.system.auth
        if auth.mode == "none" and not auth.allow_anonymous and not is_loopback(bind_host):
            raise ConfigError(
                [
                    ConfigIssue(
                        "tarsy.yaml",
                        "system.auth.mode",
                        f"'none' (no authentication) is allowed only on a loopback address, but TARSy "
                        f"serves on {bind_host} (TARSY_HOST); set system.auth.mode to 'token' or 'proxy', "
                        "or system.auth.allow_anonymous: true to let anyone who reaches the port act as admin",
                    )
                ]
            )
        tokens = parse_tokens(env.get(TOKENS_ENV, "")) if auth.mode == "token" else {}
        am_env = config.system.alertmanager.bearer_token_env
        am_token = env.get(am_env, "").strip()
        if am_token and len(am_token) < MIN_TOKEN_CHARS:
            raise ConfigError(
                [
                    ConfigIssue(
                        "environment",
                        am_env,
                        f"the Alertmanager bearer token (system.alertmanager.bearer_token_env) is shorter "
                        f"than {MIN_TOKEN_CHARS} characters",
                    )
                ]
            )
        return cls(
            mode=auth.mode,
            tokens=tokens,
            trusted=tuple(auth.trusted_proxies),
            proxy_role=auth.proxy_role,
            roles=dict(auth.roles),
            alertmanager_token=_digest(am_token) if am_token else None,
            alertmanager_env=am_env,
        )

    def _trusted_peer(self, peer: str | None) -> bool:
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def _forwarded(self, headers: Mapping[str, str], peer: str | None) -> tuple[str, str] | None:
        """(user, email) from the proxy's headers, only when the direct peer is a trusted proxy."""
        if not self._trusted_peer(peer):
            return None
        user = headers.get("x-forwarded-user", "").strip()
        email = headers.get("x-forwarded-email", "").strip()
        return (user, email) if user or email else None

    def identify(self, headers: Mapping[str, str], peer: str | None) -> Identity | None:
        """The caller, or None when this mode needs an identity the request does not carry."""
        if self.mode == "token":
            token = bearer(headers)
            if token is None:
                return None
            digest = _digest(token)
            # Compare against every entry in constant time: no early exit reveals a near match.
            found = [who for known, who in self.tokens.items() if hmac.compare_digest(known, digest)]
            return found[0] if found else None
        forwarded = self._forwarded(headers, peer)
        if self.mode == "proxy":
            if forwarded is None:
                return None
            user, email = forwarded
            role = self.roles.get(user) or self.roles.get(email) or self.proxy_role
            return Identity(user or email, role)
        # none: everyone may do everything; a trusted proxy may still name the author.
        return Identity(forwarded[0] or forwarded[1], "admin") if forwarded else Identity(ANONYMOUS, "admin")

    def alertmanager_allowed(self, headers: Mapping[str, str]) -> bool:
        """The receiver's own check: its token when one is set; with auth on, one must be set."""
        if self.alertmanager_token is None:
            return self.mode == "none"
        token = bearer(headers)
        return token is not None and hmac.compare_digest(_digest(token), self.alertmanager_token)


def bearer(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
