-- Provider fallback (tarsy/nodes/fallback.py): each switch of an execution from a failing provider
-- to the next one, in order: {from_provider, from_model, to_provider, to_model, reason, category}.
-- llm_provider and model then hold the provider the execution finished on.
ALTER TABLE agent_executions ADD COLUMN provider_fallbacks jsonb NOT NULL DEFAULT '[]'::jsonb;
