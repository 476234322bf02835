-- Who asked for a cancellation (the caller's identity; NULL when never cancelled or from before auth).
ALTER TABLE alert_sessions ADD COLUMN cancelled_by text;
ALTER TABLE chat_messages ADD COLUMN cancelled_by text;
