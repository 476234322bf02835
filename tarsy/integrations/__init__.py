"""Connections to the tools an SRE team already uses: runbooks on GitHub and Slack notifications.

Each service is built once per process from ``system`` config and the environment, and owns its
HTTP client. Both are fail-open towards sessions: a runbook that cannot be fetched is recorded on
the session, and a Slack failure is only logged. See ``docs/integrations.md``.
"""

from tarsy.integrations.runbooks import ResolvedRunbook, RunbookError, RunbookInfo, RunbookService
from tarsy.integrations.slack import SlackNotifier

__all__ = ["ResolvedRunbook", "RunbookError", "RunbookInfo", "RunbookService", "SlackNotifier"]
