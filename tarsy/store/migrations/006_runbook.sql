-- A runbook that could not be fetched does not fail the session; why it failed is kept here and
-- shown with the session.
ALTER TABLE alert_sessions ADD COLUMN runbook_error text;
-- An alert may name the Slack message it came from; TARSy replies in that message's thread.
ALTER TABLE alert_sessions ADD COLUMN slack_message_fingerprint text;
