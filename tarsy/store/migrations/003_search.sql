-- Full-text search for the session list (GET /api/v1/sessions?search=).
-- The expressions here must match tarsy/store/queries.py exactly, or the planner cannot use them.
-- 'english' stems words (restarts ~ restart) while identifiers such as CrashLoopBackOff stay one token.
CREATE INDEX alert_sessions_search ON alert_sessions USING gin (
    (jsonb_to_tsvector('english', alert_data, '["string", "numeric"]')
     || to_tsvector('english', coalesce(final_analysis, '')))
);

CREATE INDEX timeline_events_search ON timeline_events USING gin (to_tsvector('english', content));

-- Filters of the session list and the distinct values behind /sessions/filter-options.
CREATE INDEX alert_sessions_alert_type ON alert_sessions (alert_type);
CREATE INDEX alert_sessions_chain ON alert_sessions (chain_id);
CREATE INDEX alert_sessions_author ON alert_sessions (author);

-- The trace reads a call's earlier calls by execution (llm_interactions has this index already).
CREATE INDEX mcp_interactions_execution ON mcp_interactions (execution_id, created_at);

-- The session-list SSE stream replays session.status events across all sessions.
CREATE INDEX events_type_id ON events (event_type, id);
