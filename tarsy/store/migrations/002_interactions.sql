-- One row per LLM call. To keep storage linear in the conversation length, a row stores only the
-- messages added since the previous call of the same execution (starting at conversation_offset);
-- the full conversation of call N is the concatenation of calls 1..N of that execution.
CREATE TABLE llm_interactions (
    id                  uuid PRIMARY KEY,
    session_id          uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_id            uuid REFERENCES stages (id) ON DELETE CASCADE,
    execution_id        uuid REFERENCES agent_executions (id) ON DELETE CASCADE,
    interaction_type    text NOT NULL CHECK (interaction_type IN
                          ('iteration', 'forced_conclusion', 'synthesis', 'executive_summary', 'chat',
                           'summarization')),
    provider            text NOT NULL,
    model               text NOT NULL,
    conversation_offset integer NOT NULL DEFAULT 0,
    request_messages    jsonb NOT NULL,
    tools               jsonb NOT NULL DEFAULT '[]',
    response            jsonb,
    thinking            text NOT NULL DEFAULT '',
    input_tokens        integer NOT NULL DEFAULT 0,
    output_tokens       integer NOT NULL DEFAULT 0,
    thinking_tokens     integer NOT NULL DEFAULT 0,
    total_tokens        integer NOT NULL DEFAULT 0,
    duration_ms         integer NOT NULL DEFAULT 0,
    error               text,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_interactions_session ON llm_interactions (session_id, created_at);
CREATE INDEX llm_interactions_execution ON llm_interactions (execution_id, created_at);

CREATE TABLE mcp_interactions (
    id                  uuid PRIMARY KEY,
    session_id          uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    stage_id            uuid REFERENCES stages (id) ON DELETE CASCADE,
    execution_id        uuid REFERENCES agent_executions (id) ON DELETE CASCADE,
    timeline_event_id   uuid REFERENCES timeline_events (id) ON DELETE SET NULL,
    interaction_type    text NOT NULL DEFAULT 'tool_call' CHECK (interaction_type IN ('tool_call', 'tool_list')),
    server              text NOT NULL,
    tool                text,
    arguments           jsonb NOT NULL DEFAULT '{}',
    result              text,
    is_error            boolean NOT NULL DEFAULT false,
    error               text,
    available_tools     jsonb,
    duration_ms         integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mcp_interactions_session ON mcp_interactions (session_id, created_at);

ALTER TABLE agent_executions
    ADD COLUMN input_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN output_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN thinking_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN total_tokens integer NOT NULL DEFAULT 0;
