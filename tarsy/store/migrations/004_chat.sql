-- Follow-up chat: one chat per session; each message is a small job that workers claim like
-- sessions (heartbeat, orphan resume), answered on the chat's own LangGraph thread.
CREATE TABLE chats (
    id          uuid PRIMARY KEY,
    session_id  uuid NOT NULL UNIQUE REFERENCES alert_sessions (id) ON DELETE CASCADE,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chat_messages (
    id            uuid PRIMARY KEY,
    chat_id       uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    session_id    uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    author        text NOT NULL,
    content       text NOT NULL,
    stage_index   integer NOT NULL,             -- the chat stage that answers it
    status        text NOT NULL CHECK (status IN
                    ('pending', 'in_progress', 'cancelling', 'completed', 'failed', 'cancelled', 'timed_out')),
    answer        text,
    error_message text,
    worker_id     text,
    heartbeat_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    completed_at  timestamptz
);
CREATE INDEX chat_messages_chat ON chat_messages (chat_id, created_at);
CREATE INDEX chat_messages_status ON chat_messages (status, created_at);
-- At most one message in flight per session.
CREATE UNIQUE INDEX chat_messages_one_in_flight ON chat_messages (session_id)
    WHERE status IN ('pending', 'in_progress', 'cancelling');
