-- Triage and review (docs/review.md): every session that ends needs a person's review. The
-- session row holds the current review state; session_review_events is the audit log of every
-- transition (who, when, from and to which status).
ALTER TABLE alert_sessions
    ADD COLUMN review_status text,
    ADD COLUMN assignee text,
    ADD COLUMN quality_rating text,
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN reviewed_by text;
ALTER TABLE alert_sessions ADD CONSTRAINT alert_sessions_review_status_check
    CHECK (review_status IN ('needs_review', 'in_progress', 'reviewed'));
ALTER TABLE alert_sessions ADD CONSTRAINT alert_sessions_quality_rating_check
    CHECK (quality_rating IN ('accurate', 'partially_accurate', 'inaccurate'));
-- Sessions that ended before this migration enter the triage queue like any that ends from now on.
UPDATE alert_sessions SET review_status = 'needs_review'
    WHERE status IN ('completed', 'failed', 'cancelled', 'timed_out');
CREATE INDEX alert_sessions_review ON alert_sessions (review_status, created_at DESC) WHERE review_status IS NOT NULL;
CREATE INDEX alert_sessions_assignee ON alert_sessions (assignee, created_at DESC) WHERE assignee IS NOT NULL;

CREATE TABLE session_review_events (
    id bigserial PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES alert_sessions (id) ON DELETE CASCADE,
    action text NOT NULL CHECK (action IN ('claim', 'unclaim', 'complete', 'reopen', 'feedback', 'acknowledge')),
    actor text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    from_status text,
    to_status text,
    assignee text,
    quality_rating text CHECK (quality_rating IN ('accurate', 'partially_accurate', 'inaccurate')),
    comment text
);
CREATE INDEX session_review_events_session ON session_review_events (session_id, id);
