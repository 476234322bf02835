-- Human approval of state-changing tool calls (docs/actions.md). A session that waits for a person
-- is 'awaiting_approval': no worker owns it; a decision puts it back to 'pending' (its resume job).
ALTER TABLE alert_sessions DROP CONSTRAINT alert_sessions_status_check;
ALTER TABLE alert_sessions ADD CONSTRAINT alert_sessions_status_check CHECK (status IN
    ('pending', 'in_progress', 'cancelling', 'awaiting_approval', 'completed', 'failed', 'cancelled', 'timed_out'));
-- Time spent waiting for people does not count against queue.session_timeout.
ALTER TABLE alert_sessions ADD COLUMN parked_at timestamptz;
ALTER TABLE alert_sessions ADD COLUMN approval_wait_s double precision NOT NULL DEFAULT 0;
DROP INDEX alert_sessions_open_fingerprint;
CREATE UNIQUE INDEX alert_sessions_open_fingerprint ON alert_sessions (fingerprint)
    WHERE fingerprint IS NOT NULL AND status IN ('pending', 'in_progress', 'cancelling', 'awaiting_approval');

CREATE TABLE approvals (
    id              uuid PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_id        uuid,
    execution_id    uuid,
    call_key        text NOT NULL UNIQUE,      -- the tool call this approval is for (see tarsy/actions/gate.py)
    agent_name      text NOT NULL,
    stage_name      text,
    tool            text NOT NULL,             -- canonical server.tool
    arguments       jsonb NOT NULL,            -- exactly what runs when approved
    reason          text NOT NULL DEFAULT '',  -- what the model said before the call
    status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
    on_timeout      text NOT NULL CHECK (on_timeout IN ('reject', 'approve')),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    decided_at      timestamptz,
    decided_by      text,
    comment         text,
    applied_at      timestamptz,               -- a run has acted on the decision (ran the tool or told the model)
    started_at      timestamptz,               -- the approved tool call began (at most once)
    result          text,                      -- the approved tool's outcome as the model got it
    result_is_error boolean,
    notified_at     timestamptz                -- Slack was told
);
CREATE INDEX approvals_session ON approvals (session_id, requested_at);
CREATE INDEX approvals_pending_expiry ON approvals (expires_at) WHERE status = 'pending';

-- Action agents run as their own stage kind.
ALTER TABLE stages DROP CONSTRAINT stages_stage_type_check;
ALTER TABLE stages ADD CONSTRAINT stages_stage_type_check
    CHECK (stage_type IN ('investigation', 'action', 'synthesis', 'exec_summary', 'chat'));
