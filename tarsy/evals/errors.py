"""The evaluation harness's own errors."""

from __future__ import annotations

from tarsy.errors import TarsyError


class ScenarioError(TarsyError):
    """A scenario that cannot be used; the message names the file and the field."""

    code = "invalid_scenario"


class EvalSetupError(TarsyError):
    """An evaluation that cannot start (no server to replace, no credentials...); the message says why."""

    code = "eval_setup"
