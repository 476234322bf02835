import HowToRegOutlinedIcon from "@mui/icons-material/HowToRegOutlined";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useContext, useState } from "react";
import { useParams } from "react-router";
import { type Approval, decideApproval, decisionText, isDecided, toApproval } from "../../api/approvals";
import { ApiError } from "../../api/http";
import type { TimelineEvent } from "../../api/timeline";
import { CodeBlock } from "../common/CodeBlock";
import { SessionApprovals, useKnownApproval } from "./SessionApprovals";

/** A tool call that asks for a person: tool, arguments, reason, and Approve / Reject with a comment. */
export function ApprovalRequestCard({ event }: { event: TimelineEvent }) {
  const { id: sessionId = "" } = useParams();
  const requested = toApproval(event.metadata.approval);
  const { refresh } = useContext(SessionApprovals);
  const known = useKnownApproval(requested.id);
  const [mine, setMine] = useState<Approval | null>(null);
  // Decided here, or elsewhere (another tab, Slack, the API, expiry): the session's approvals say so.
  const decided = mine ?? (known && isDecided(known) ? known : null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function decide(decision: "approve" | "reject") {
    setBusy(true);
    setError(null);
    try {
      setMine(await decideApproval(sessionId, requested.id, decision, comment));
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      // 409: no longer pending; the refreshed session shows who decided and how.
      if (cause instanceof ApiError && cause.status === 409) await refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box
      data-testid="approval-request"
      data-approval-id={requested.id}
      sx={{ border: 2, borderColor: "warning.main", borderRadius: 1, p: 1.5, display: "grid", gap: 1 }}
    >
      <Box sx={{ display: "flex", alignItems: "center", gap: 0.75, color: "warning.dark" }}>
        <HowToRegOutlinedIcon fontSize="small" />
        <Typography variant="caption" sx={{ fontWeight: 700, textTransform: "uppercase", letterSpacing: 0.5 }}>
          Approval needed: {requested.agent} wants to run {requested.tool}
        </Typography>
      </Box>
      <CodeBlock label="arguments">{JSON.stringify(requested.arguments, null, 2)}</CodeBlock>
      {requested.reason && (
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
          <strong>Reason:</strong> {requested.reason}
        </Typography>
      )}
      {requested.expiresAt && (
        <Typography variant="caption" color="text.secondary">
          Expires {new Date(requested.expiresAt).toLocaleString()}
        </Typography>
      )}
      {decided ? (
        <ApprovalOutcome approval={decided} />
      ) : (
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
          <TextField
            size="small"
            label="Comment"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            slotProps={{ htmlInput: { "data-testid": "approval-comment", maxLength: 2000 } }}
            sx={{ flex: 1, minWidth: 200 }}
          />
          <Button variant="contained" color="success" disabled={busy} onClick={() => void decide("approve")}>
            Approve
          </Button>
          <Button variant="outlined" color="error" disabled={busy} onClick={() => void decide("reject")}>
            Reject
          </Button>
        </Box>
      )}
      {error && !decided && (
        <Typography variant="caption" color="error" data-testid="approval-error">
          {error}
        </Typography>
      )}
    </Box>
  );
}

function ApprovalOutcome({ approval }: { approval: Approval }) {
  return (
    <Box data-testid="approval-outcome" data-status={approval.status}>
      <Typography variant="body2">
        <strong>{decisionText(approval)}</strong>
        {approval.decidedAt ? ` at ${new Date(approval.decidedAt).toLocaleString()}` : ""}
      </Typography>
      {approval.comment && (
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
          <strong>Comment:</strong> {approval.comment}
        </Typography>
      )}
    </Box>
  );
}

/** The decision on an approval, as the timeline records it (who, what, comment). */
export function ApprovalDecidedLine({ event }: { event: TimelineEvent }) {
  const decided = toApproval(event.metadata.approval);
  return (
    <Typography variant="body2" data-testid="approval-decided" data-status={decided.status} color="text.secondary">
      ✋ {event.content}
    </Typography>
  );
}
