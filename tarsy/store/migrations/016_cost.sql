-- Cost of model calls (docs/cost.md): each interaction's cached prompt tokens, its estimated cost in
-- US dollars (NULL when its model has no price; cost_note says why), and whether its token counts
-- were estimated because the provider reported none. Executions keep the running totals.
ALTER TABLE llm_interactions
    ADD COLUMN cached_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN cost_usd double precision,
    ADD COLUMN cost_estimated boolean NOT NULL DEFAULT false,
    ADD COLUMN cost_note text;

ALTER TABLE agent_executions
    ADD COLUMN cached_tokens integer NOT NULL DEFAULT 0,
    ADD COLUMN cost_usd double precision NOT NULL DEFAULT 0,
    ADD COLUMN cost_estimated boolean NOT NULL DEFAULT false,
    ADD COLUMN unpriced_calls integer NOT NULL DEFAULT 0;

-- GET /api/v1/usage/summary reads interactions by time range.
CREATE INDEX llm_interactions_created ON llm_interactions (created_at);
