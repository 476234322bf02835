-- Alerts from Alertmanager carry a fingerprint; while a session for it is open, repeats are
-- deduplicated instead of opening another investigation.
ALTER TABLE alert_sessions ADD COLUMN fingerprint text;
CREATE UNIQUE INDEX alert_sessions_open_fingerprint ON alert_sessions (fingerprint)
    WHERE fingerprint IS NOT NULL AND status IN ('pending', 'in_progress', 'cancelling');
