-- Fork and replay (docs/langgraph.md "Forking"): a session started from a resume point of another.
-- Its records up to that point are copies of the parent's; the rest runs live, optionally with a
-- session-wide model provider and extra operator instructions (masked) added to every agent's prompt.
ALTER TABLE alert_sessions ADD COLUMN forked_from uuid REFERENCES alert_sessions (id) ON DELETE SET NULL;
ALTER TABLE alert_sessions ADD COLUMN fork_checkpoint text;
ALTER TABLE alert_sessions ADD COLUMN llm_provider text;
ALTER TABLE alert_sessions ADD COLUMN instructions text;
CREATE INDEX alert_sessions_forked_from ON alert_sessions (forked_from, created_at) WHERE forked_from IS NOT NULL;
