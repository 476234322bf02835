-- Alertmanager fingerprints are stored as Alertmanager reports them (16 hex digits), the same form
-- the webhook's response and the alert data show; drop the old "alertmanager:" prefix.
UPDATE alert_sessions SET fingerprint = substr(fingerprint, length('alertmanager:') + 1)
    WHERE fingerprint LIKE 'alertmanager:%';
