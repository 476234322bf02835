"""The process-wide sections of ``tarsy.yaml``: ``defaults``, ``queue`` and ``system``.

Unlike named entries, these merge key by key over the built-in values.
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Literal

from pydantic import Field, IPvAnyNetwork, model_validator

from tarsy.config.agents import OrchestratorConfig
from tarsy.config.base import ScoringConfig, Strategy, StrictModel, SuccessPolicy
from tarsy.config.duration import Duration, PositiveDuration
from tarsy.config.masking import AlertMaskingConfig as AlertMaskingConfig  # re-exported
from tarsy.config.masking import DataMaskingConfig, StreamMaskingConfig, default_tool_masking
from tarsy.config.mcp import McpPoolConfig


class LlmRetryConfig(StrictModel):
    """Retries of a model call that failed transiently (rate limit, timeout, 5xx, connection), on top
    of the provider SDK's own (``max_retries``), which do not cover a stream that breaks midway."""

    max_attempts: int = Field(default=2, ge=1)
    """Attempts in all, the first included; 1 turns retrying off."""
    initial_interval: Duration = 1.0
    backoff_factor: float = Field(default=2.0, ge=1.0)
    max_interval: Duration = 30.0


class DefaultsConfig(StrictModel):
    """The bottom layer of the resolution hierarchy, and defaults for alerts without a type."""

    llm_provider: str = "google-default"
    max_iterations: int = Field(default=20, ge=1)
    alert_type: str = "kubernetes"
    strategy: Strategy = "native-thinking"
    success_policy: SuccessPolicy = "any"
    alert_masking: AlertMaskingConfig = AlertMaskingConfig()
    tool_masking: DataMaskingConfig = Field(default_factory=default_tool_masking)
    """The masking of every MCP server configured without ``data_masking`` (default group ``all``)."""
    llm_retry: LlmRetryConfig = LlmRetryConfig()
    orchestrator: OrchestratorConfig = OrchestratorConfig()
    """Guardrails of agents that dispatch sub-agents (an agent's ``orchestrator`` replaces them)."""
    fallback_providers: list[str] = Field(default_factory=list)
    """Providers a failing model call switches to, in order (agents, stages and chains may override)."""
    scoring: ScoringConfig = ScoringConfig()
    """Scoring of ended sessions; a chain's ``scoring`` replaces it (docs/scoring.md)."""


class QueueConfig(StrictModel):
    """Session claiming by workers; every duration is in seconds once loaded."""

    worker_count: int = Field(default=5, ge=1)
    max_concurrent_sessions: int = Field(default=5, ge=1)
    poll_interval: PositiveDuration = 1.0
    poll_interval_jitter: Duration = 0.5
    session_timeout: PositiveDuration = 40 * 60.0
    chat_timeout: PositiveDuration = 15 * 60.0
    heartbeat_interval: PositiveDuration = 5.0
    orphan_threshold: PositiveDuration = 60.0
    graceful_shutdown_timeout: Duration = 30.0
    max_pending: int | None = Field(default=10_000, ge=1)
    """New alerts are refused (429 with ``Retry-After``) while this many sessions wait; null: no cap."""
    retry_after: PositiveDuration = 30.0
    """The ``Retry-After`` a refused alert is given."""
    approval_sweep_interval: PositiveDuration = 5.0
    """How often workers resolve approvals past their ``timeout`` (as ``on_timeout`` says)."""
    max_approval_comment_chars: int = Field(default=2000, ge=1)
    """Longest comment accepted with an approval decision."""

    @model_validator(mode="after")
    def _orphan_after_heartbeat(self) -> QueueConfig:
        if self.orphan_threshold <= self.heartbeat_interval:
            raise ValueError(
                f"orphan_threshold ({self.orphan_threshold:g}s) must exceed heartbeat_interval "
                f"({self.heartbeat_interval:g}s), or live sessions would be taken for orphans"
            )
        return self


class AlertmanagerConfig(StrictModel):
    """The Alertmanager webhook receiver (``POST /api/v1/alerts/alertmanager``)."""

    alert_type_label: str = "alertname"
    """Label whose value selects the chain (through ``alert_types``); unknown values use the default type."""
    include_resolved: bool = False
    """Open sessions for resolved alerts too (normally they are skipped)."""
    max_alerts_per_request: int = Field(default=1000, ge=1, le=100_000)
    """At most this many sessions are opened per webhook; the rest are counted and reported, not opened."""
    max_body_bytes: int = Field(default=10_485_760, ge=1024)
    """Request-size limit of the receiver alone (a 4,200-alert group is ~2.5 MB)."""
    bearer_token_env: str = "TARSY_ALERTMANAGER_TOKEN"
    """Name of the environment variable holding the bearer token Alertmanager sends
    (``http_config.authorization``). Needed whenever ``system.auth.mode`` is not ``none``; in
    ``none`` mode it is still required once the variable is set."""


class RetentionConfig(StrictModel):
    """Periodic cleanup of old sessions and of the SSE replay log."""

    enabled: bool = True
    session_retention_days: int = Field(default=365, ge=1)
    event_ttl: PositiveDuration = 24 * 3600.0
    """Replay-log entries of ended sessions older than this are trimmed (the timeline stays)."""
    cleanup_interval: PositiveDuration = 12 * 3600.0


class RunbooksConfig(StrictModel):
    """Fetching runbooks for alerts and listing the team's runbook folder (``GET /api/v1/runbooks``)."""

    repo_url: str | None = None
    """GitHub tree URL of the runbook folder, e.g. ``https://github.com/acme/sre/tree/main/runbooks``."""
    cache_ttl: Duration = 60.0
    allowed_domains: list[str] = Field(default_factory=lambda: ["github.com", "raw.githubusercontent.com"])
    """Hosts runbook URLs may point at (subdomains included)."""
    allowed_prefixes: list[str] | None = None
    """URL prefixes an alert's runbook URL must lie under; ``None``: the repository of ``repo_url``
    (as ``https://github.com/<o>/<r>/`` and raw content); without either, alerts cannot name runbooks."""
    max_bytes: int = Field(default=1_048_576, ge=1)
    cache_max_bytes: int = Field(default=8_388_608, ge=0)
    """Total size of fetched runbooks (and listings) kept in the cache; least recently used go first."""
    timeout: PositiveDuration = 10.0


class GitHubConfig(StrictModel):
    """GitHub access for runbooks; the URLs are configurable so tests (or GitHub Enterprise) can point elsewhere."""

    token_env: str = "GITHUB_TOKEN"
    """Name of the environment variable holding the token (optional for public repositories)."""
    api_url: str = "https://api.github.com"
    raw_url: str = "https://raw.githubusercontent.com"


class SlackConfig(StrictModel):
    """Session notifications in a Slack channel (off unless enabled)."""

    enabled: bool = False
    token_env: str = "SLACK_BOT_TOKEN"
    """Name of the environment variable holding the bot token."""
    channel: str | None = None
    """Channel id (``C0123…``) the alerts arrive in and notifications go to."""
    base_url: str = "https://slack.com/api/"
    history_lookback: PositiveDuration = 24 * 3600.0
    """How far back to look for the original alert message of a ``slack_message_fingerprint``."""
    history_limit: int = Field(default=1000, ge=1)
    """How many channel messages to scan at most for that message."""
    timeout: PositiveDuration = 10.0
    """Per Slack API call; a slow Slack must not hold up a worker for long."""

    @model_validator(mode="after")
    def _channel_when_enabled(self) -> SlackConfig:
        if self.enabled and not self.channel:
            raise ValueError("slack.enabled needs slack.channel (the id of the channel to post in)")
        return self


class TracingConfig(StrictModel):
    """OpenTelemetry traces (exported over OTLP/HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``)."""

    enabled: bool | None = None
    """None: on exactly when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``) is set."""
    include_content: bool = False
    """Add masked prompt/response/tool content to spans; off, spans hold ids, names and counts only."""
    service_name: str = "tarsy"


class SseConfig(StrictModel):
    """Bounds on server-sent event streams, per process (each replica counts its own)."""

    max_subscribers: int = Field(default=1000, ge=1)
    """Open SSE streams of all kinds at once; more answer 429."""
    max_subscribers_per_session: int = Field(default=50, ge=1)
    """Open streams of one session at once; more answer 429."""
    max_catchup_events: int = Field(default=1000, ge=1, le=100_000)
    """The session-list stream replays at most this many missed events; further behind, it sends ``resync``."""


LOOPBACK_NETWORKS: tuple[IPvAnyNetwork, ...] = (IPv4Network("127.0.0.0/8"), IPv6Network("::1/128"))

PUBLIC_CANDIDATES = frozenset({"/health", "/health/live", "/health/ready", "/metrics"})
"""The only routes that may answer without an identity: health, the probes, metrics."""

Role = Literal["viewer", "operator", "admin"]
"""What a caller may do: read; plus submit, chat and cancel; plus system actions."""


class AuthConfig(StrictModel):
    """Who may call the API (``docs/security.md``)."""

    mode: Literal["none", "token", "proxy"] = "none"
    """``token``: bearer tokens from ``TARSY_API_TOKENS``; ``proxy``: identity headers of an auth proxy
    (oauth2-proxy); ``none``: no authentication, only on a loopback address unless ``allow_anonymous``."""
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=lambda: list(LOOPBACK_NETWORKS))
    """Direct peers whose ``X-Forwarded-User`` / ``X-Forwarded-Email`` are believed (the sidecar layout)."""
    allow_anonymous: bool = False
    """Let ``mode: none`` serve on a non-loopback address (everyone who reaches the port is admin)."""
    public_paths: list[str] = Field(default_factory=lambda: ["/health", "/health/live", "/health/ready", "/metrics"])
    """Route paths answered without an identity (from ``/health``, the two probes and ``/metrics``;
    the dashboard's static files are always public, its data is not)."""
    proxy_role: Role = "operator"
    """Role of a proxy-authenticated user not listed in ``roles``."""
    roles: dict[str, Role] = Field(default_factory=dict)
    """Per-user roles in proxy mode, keyed by the forwarded user name or e-mail."""

    @model_validator(mode="after")
    def _known_public_paths(self) -> AuthConfig:
        unknown = sorted(set(self.public_paths) - PUBLIC_CANDIDATES)
        if unknown:
            allowed = ", ".join(sorted(PUBLIC_CANDIDATES))
            raise ValueError(f"public_paths may hold only {allowed}, not {', '.join(unknown)}")
        return self


class DatabaseConfig(StrictModel):
    """Connection pools and how an outage is noticed; see docs/operations.md (database outages)."""

    connect_timeout: PositiveDuration = 5.0
    """One connection attempt (libpq rounds up to whole seconds, at least 2)."""
    pool_timeout: PositiveDuration = 5.0
    """How long a query waits for a pooled connection before the database counts as unavailable."""
    reconnect_backoff_max: PositiveDuration = 2.0
    """Longest pause between reconnection attempts while the database is away."""
    health_timeout: PositiveDuration = 1.0
    """The database check of ``GET /health`` answers within this (503 when it cannot)."""
    outage_retry_max: PositiveDuration = 5.0
    """Longest pause between a paused session's probes of the database before it resumes."""
    api_pool_size: int = Field(default=10, ge=1)
    """Connections of the API (requests, health, event streams); workers cannot take them."""
    worker_pool_size: int | None = Field(default=None, ge=1)
    """Connections of the workers and the checkpointer; default ``queue.worker_count * 3 + 5``, capped at
    what the server's ``max_connections`` leaves after ``api_pool_size`` and 10 spare connections."""
    record_flush_interval: Duration = 0.05
    """Longest time a run's queued records and streamed deltas wait before they are written (and
    reach live viewers); an agent step writes its own at its end. 0: only at step ends."""


class SystemConfig(StrictModel):
    auth: AuthConfig = AuthConfig()
    allowed_origins: list[str] = Field(default_factory=list)
    """Origins (``https://host[:port]``) besides the served one and ``dashboard_url`` that may send
    state-changing requests."""
    allowed_hosts: list[str] | None = None
    """``Host`` header names accepted (``*`` for any); default: the host of ``dashboard_url``, the bind
    address, and localhost / 127.0.0.1 / ::1 when serving on loopback."""
    alertmanager: AlertmanagerConfig = AlertmanagerConfig()
    runbooks: RunbooksConfig = RunbooksConfig()
    github: GitHubConfig = GitHubConfig()
    slack: SlackConfig = SlackConfig()
    retention: RetentionConfig = RetentionConfig()
    tracing: TracingConfig = TracingConfig()
    database: DatabaseConfig = DatabaseConfig()
    dashboard_url: str = "http://127.0.0.1:8080"
    max_alert_data_bytes: int = Field(default=1_048_576, ge=1)
    max_request_bytes: int | None = Field(default=None, ge=1)
    """Largest request body, counted while it streams (chunked included); null: derived from
    ``max_alert_data_bytes`` (twice it plus 64 KiB, room for JSON escaping and the other fields)."""
    sse: SseConfig = SseConfig()
    max_json_depth: int = Field(default=32, ge=2, le=128)
    """Deepest nesting of a JSON request body (and of stored alert data); the checkpointer holds ~250."""
    sse_ping_interval: PositiveDuration = 15.0
    max_chat_message_chars: int = Field(default=100_000, ge=1)
    masking: StreamMaskingConfig = StreamMaskingConfig()
    readiness_timeout: PositiveDuration = 2.0
    """How long ``/health/ready`` waits for the database before it answers 503."""
    mcp_pool: McpPoolConfig = McpPoolConfig()
    """Warm processes of every stdio MCP server; ``mcp_servers.<name>.pool`` overrides per server."""

    @property
    def request_body_limit(self) -> int:
        """``max_request_bytes``, or the value derived from ``max_alert_data_bytes``."""
        if self.max_request_bytes is not None:
            return self.max_request_bytes
        return self.max_alert_data_bytes * 2 + 64 * 1024
