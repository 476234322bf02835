-- Investigation memory (docs/memory.md): what TARSy learnt from earlier sessions, with a vector
-- (pgvector, HNSW over cosine distance) and a full-text vector for hybrid recall, and the record of
-- which memories each session was given, recalled, created, reinforced or deprecated.
-- The embedded PostgreSQL ships pgvector; an external server needs the extension installed.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE memories (
    id                  uuid PRIMARY KEY,
    project             text NOT NULL,
    alert_type          text,                       -- null: any alert type
    chain_id            text,
    category            text NOT NULL CHECK (category IN ('root_cause', 'diagnostic_step', 'environment_fact',
                            'false_positive', 'remediation', 'tool_usage', 'pitfall')),
    content             text NOT NULL,              -- masked before it is stored
    confidence          double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deprecated')),
    deprecated_reason   text,
    embedding           vector(384) NOT NULL,
    embedding_model     text NOT NULL,              -- vectors of two models are never compared
    search_vector       tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    reinforcement_count integer NOT NULL DEFAULT 0,
    source_session_id   uuid REFERENCES alert_sessions (id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    updated_by          text NOT NULL,
    last_used_at        timestamptz
);
CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops);
CREATE INDEX memories_search ON memories USING gin (search_vector);
CREATE INDEX memories_scope ON memories (project, status, alert_type);
CREATE INDEX memories_source ON memories (source_session_id);

CREATE TABLE session_memories (
    id          bigserial PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    memory_id   uuid NOT NULL REFERENCES memories (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('injected', 'recalled', 'created', 'reinforced', 'deprecated')),
    similarity  double precision,               -- injected / recalled: cosine similarity to the query
    score       double precision,               -- injected / recalled: the hybrid score that ranked it
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_memories_session ON session_memories (session_id, id);
CREATE INDEX session_memories_memory ON session_memories (memory_id, id);

ALTER TABLE llm_interactions DROP CONSTRAINT llm_interactions_interaction_type_check;
ALTER TABLE llm_interactions ADD CONSTRAINT llm_interactions_interaction_type_check CHECK (interaction_type IN
    ('iteration', 'forced_conclusion', 'synthesis', 'executive_summary', 'chat', 'summarization', 'scoring',
     'reflection'));
