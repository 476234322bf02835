"""Host and Origin checks: DNS rebinding and cross-site requests (``system.allowed_hosts`` / ``allowed_origins``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tarsy.api.auth import is_loopback
from tarsy.config import SystemConfig

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


def host_name(host: str) -> str:
    """``example.com:8080`` → ``example.com``; ``[::1]:8080`` → ``::1``; lower-cased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


def origin_of(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@dataclass(frozen=True)
class OriginPolicy:
    hosts: frozenset[str] | None  # None: any host
    origins: frozenset[str]

    @classmethod
    def build(cls, system: SystemConfig, bind_host: str) -> OriginPolicy:
        dashboard = urlsplit(system.dashboard_url)
        if system.allowed_hosts is not None:
            hosts = None if "*" in system.allowed_hosts else frozenset(host_name(h) for h in system.allowed_hosts)
        else:
            names = {host_name(dashboard.netloc)} if dashboard.netloc else set()
            if bind_host not in WILDCARD_ADDRESSES:
                names.add(host_name(bind_host))
            if is_loopback(bind_host):
                names.update(LOOPBACK_NAMES)
            hosts = frozenset(names)
        origins = {o for o in (origin_of(u) for u in [system.dashboard_url, *system.allowed_origins]) if o}
        return cls(hosts=hosts, origins=frozenset(origins))

    def host_problem(self, host: str | None) -> str | None:
        if self.hosts is None:
            return None
        if host is None or host_name(host) not in self.hosts:
            return (
                f"Host '{host or ''}' is not served here; add it to system.allowed_hosts "
                f"(now: {', '.join(sorted(self.hosts))})"
            )
        return None

    def origin_problem(self, method: str, origin: str | None, scheme: str, host: str | None) -> str | None:
        """A state-changing request from a page of another site is refused; no Origin is a non-browser."""
        if method not in STATE_CHANGING or origin is None:
            return None
        sent = origin.strip().lower()
        if host and sent == f"{scheme}://{host.strip().lower()}":
            return None
        if sent in self.origins:
            return None
        return (
            f"Origin '{origin}' may not change state here; it is neither this server's origin nor listed "
            "in system.allowed_origins"
        )
