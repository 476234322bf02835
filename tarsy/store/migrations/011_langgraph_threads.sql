-- LangGraph SDK threads (tarsy/api/routes/langgraph): a thread exists before its first run; the
-- run's session takes the thread's id, so a thread with a session is that session.
CREATE TABLE langgraph_threads (
    thread_id uuid PRIMARY KEY,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
