-- Sub-agents (tarsy/nodes/orchestrator.py): an execution dispatched by another one. It belongs to
-- its parent's stage, carries the parent's agent_index, and is told apart by dispatch_index (the
-- parent's n-th dispatch, from 1; 0 for every execution that is not a sub-agent), so a resumed
-- parent finds the same row again for the same dispatch.
ALTER TABLE agent_executions
    ADD COLUMN parent_execution_id uuid REFERENCES agent_executions (id) ON DELETE CASCADE,
    ADD COLUMN task text,
    ADD COLUMN dispatch_index integer NOT NULL DEFAULT 0 CHECK (dispatch_index >= 0);
ALTER TABLE agent_executions DROP CONSTRAINT agent_executions_stage_id_agent_index_key;
ALTER TABLE agent_executions ADD CONSTRAINT agent_executions_stage_agent_dispatch_key
    UNIQUE (stage_id, agent_index, dispatch_index);
CREATE INDEX agent_executions_parent ON agent_executions (parent_execution_id) WHERE parent_execution_id IS NOT NULL;
