-- Sessions are the queue: workers claim pending rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE alert_sessions (
    id              uuid PRIMARY KEY,
    alert_type      text NOT NULL,
    chain_id        text NOT NULL,
    status          text NOT NULL CHECK (status IN
                      ('pending', 'in_progress', 'cancelling', 'completed', 'failed', 'cancelled', 'timed_out')),
    alert_data      jsonb NOT NULL,          -- masked payload: a JSON object or a JSON string
    alert_masking_error text,
    runbook_url     text,
    author          text NOT NULL DEFAULT 'api-client',
    final_analysis  text,
    executive_summary text,
    executive_summary_error text,
    error_message   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz,
    worker_id       text,
    heartbeat_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0
);
CREATE INDEX alert_sessions_status_created ON alert_sessions (status, created_at);
CREATE INDEX alert_sessions_created ON alert_sessions (created_at DESC);

CREATE TABLE stages (
    id              uuid PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_index     integer NOT NULL,
    name            text NOT NULL,
    stage_type      text NOT NULL DEFAULT 'investigation'
                      CHECK (stage_type IN ('investigation', 'synthesis', 'exec_summary', 'chat')),
    parallel_type   text NOT NULL DEFAULT 'single' CHECK (parallel_type IN ('single', 'multi_agent', 'replica')),
    expected_agents integer NOT NULL DEFAULT 1,
    success_policy  text NOT NULL DEFAULT 'any' CHECK (success_policy IN ('all', 'any')),
    referenced_stage_id uuid REFERENCES stages (id) ON DELETE SET NULL,
    status          text NOT NULL CHECK (status IN
                      ('pending', 'active', 'completed', 'failed', 'cancelled', 'timed_out')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    error_message   text,
    UNIQUE (session_id, stage_index)
);

CREATE TABLE agent_executions (
    id              uuid PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_id        uuid NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
    agent_name      text NOT NULL,
    agent_index     integer NOT NULL,
    strategy        text NOT NULL,
    llm_provider    text NOT NULL,
    model           text NOT NULL,
    status          text NOT NULL CHECK (status IN
                      ('pending', 'active', 'completed', 'failed', 'cancelled', 'timed_out')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    error_message   text,
    UNIQUE (stage_id, agent_index)
);
CREATE INDEX agent_executions_session ON agent_executions (session_id);

-- The permanent, queryable record of what happened: one row per thought, answer, tool call, ...
CREATE TABLE timeline_events (
    id              uuid PRIMARY KEY,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_id        uuid REFERENCES stages (id) ON DELETE CASCADE,
    execution_id    uuid REFERENCES agent_executions (id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    status          text NOT NULL CHECK (status IN ('streaming', 'completed', 'failed', 'cancelled', 'timed_out')),
    content         text NOT NULL DEFAULT '',
    metadata        jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX timeline_events_session_seq ON timeline_events (session_id, seq);

-- The replay log behind SSE: every persisted event, in id order, NOTIFYed in the same transaction.
CREATE TABLE events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    event_type      text NOT NULL,
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_session_id ON events (session_id, id);
