-- Session scoring (tarsy/runtime/scoring.py): every scoring run of a session, kept as history; the
-- API shows the latest. At most one run per session is 'scoring' at a time (the partial unique index
-- is what answers a second POST /sessions/{id}/score with 409).
CREATE TABLE session_scores (
    id              uuid PRIMARY KEY,
    session_id      uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    status          text NOT NULL CHECK (status IN ('scoring', 'completed', 'failed')),
    score           integer CHECK (score BETWEEN 0 AND 100),
    outcome         text CHECK (outcome IN ('correct', 'partial', 'wrong')),
    analysis        text,
    failure_tags    jsonb NOT NULL DEFAULT '[]'::jsonb,
    dropped_tags    jsonb NOT NULL DEFAULT '[]'::jsonb,
    tool_report     text,
    provider        text NOT NULL,
    error           text,
    requested_by    text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    scored_at       timestamptz
);
CREATE INDEX session_scores_session ON session_scores (session_id, created_at DESC);
CREATE UNIQUE INDEX session_scores_one_running ON session_scores (session_id) WHERE status = 'scoring';

ALTER TABLE llm_interactions DROP CONSTRAINT llm_interactions_interaction_type_check;
ALTER TABLE llm_interactions ADD CONSTRAINT llm_interactions_interaction_type_check CHECK (interaction_type IN
    ('iteration', 'forced_conclusion', 'synthesis', 'executive_summary', 'chat', 'summarization', 'scoring'));
