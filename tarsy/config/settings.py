"""The process-wide sections of ``tarsy.yaml``: ``defaults``, ``queue`` and ``system``.

Unlike named entries, these merge key by key over the built-in values.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from tarsy.config.base import Strategy, StrictModel, SuccessPolicy
from tarsy.config.duration import Duration, PositiveDuration


class AlertMaskingConfig(StrictModel):
    """Masking of incoming alert payloads (fail-open, unlike tool results)."""

    enabled: bool = True
    pattern_group: str = "security"


class DefaultsConfig(StrictModel):
    """The bottom layer of the resolution hierarchy, and defaults for alerts without a type."""

    llm_provider: str = "google-default"
    max_iterations: int = Field(default=20, ge=1)
    alert_type: str = "kubernetes"
    strategy: Strategy = "native-thinking"
    success_policy: SuccessPolicy = "any"
    alert_masking: AlertMaskingConfig = AlertMaskingConfig()


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
    max_bytes: int = Field(default=1_048_576, ge=1)
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
    """Connections of the workers and the checkpointer; default ``queue.worker_count * 3 + 5``."""


class SystemConfig(StrictModel):
    alertmanager: AlertmanagerConfig = AlertmanagerConfig()
    runbooks: RunbooksConfig = RunbooksConfig()
    github: GitHubConfig = GitHubConfig()
    slack: SlackConfig = SlackConfig()
    retention: RetentionConfig = RetentionConfig()
    database: DatabaseConfig = DatabaseConfig()
    dashboard_url: str = "http://127.0.0.1:8080"
    max_alert_data_bytes: int = Field(default=1_048_576, ge=1)
    sse_ping_interval: PositiveDuration = 15.0
    max_chat_message_chars: int = Field(default=100_000, ge=1)
