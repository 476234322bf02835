import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { Approval } from "../../api/approvals";
import { CodeBlock } from "../common/CodeBlock";
import { StatusChip } from "../common/StatusChip";

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "";
}

function ApprovalEntry({ approval }: { approval: Approval }) {
  const decided = approval.status !== "pending";
  return (
    <Box data-testid="trace-approval" data-approval-id={approval.id} sx={{ display: "grid", gap: 0.75 }}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
        <Typography variant="subtitle2" component="span" sx={{ fontFamily: "monospace" }}>
          {approval.tool}
        </Typography>
        <StatusChip status={approval.status} />
        <Typography variant="caption" color="text.secondary">
          {approval.agent}
          {approval.requestedAt ? ` · requested ${when(approval.requestedAt)}` : ""}
        </Typography>
      </Box>
      <CodeBlock label="arguments">{JSON.stringify(approval.arguments, null, 2)}</CodeBlock>
      {approval.reason && (
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
          <strong>Reason:</strong> {approval.reason}
        </Typography>
      )}
      <Typography variant="body2" data-testid="trace-approval-decision">
        {decided
          ? `Decided${approval.decidedBy ? ` by ${approval.decidedBy}` : ""}${
              approval.decidedAt ? ` at ${when(approval.decidedAt)}` : ""
            }`
          : `Waiting for a decision until ${when(approval.expiresAt)}`}
      </Typography>
      {approval.comment && (
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
          <strong>Comment:</strong> {approval.comment}
        </Typography>
      )}
    </Box>
  );
}

/** The approvals of a traced session: each tool call that waited for a person, and its decision. */
export function TraceApprovals({ approvals }: { approvals: readonly Approval[] }) {
  if (approvals.length === 0) return null;
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2, display: "grid", gap: 2 }} data-testid="trace-approvals">
      <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem" }}>
        Approvals ({approvals.length})
      </Typography>
      {approvals.map((a) => (
        <ApprovalEntry key={a.id} approval={a} />
      ))}
    </Paper>
  );
}
