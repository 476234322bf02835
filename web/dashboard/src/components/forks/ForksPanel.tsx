import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import type { ForkOrigin, ForkSummary } from "../../api/forks";
import { StatusChip } from "../common/StatusChip";

const short = (id: string) => id.slice(0, 8);

export function comparePath(parentId: string, forkId: string): string {
  return `/sessions/${encodeURIComponent(parentId)}/compare/${encodeURIComponent(forkId)}`;
}

/** Where this session was forked from, and the sessions forked from it, each with a side-by-side link. */
export function ForksPanel({
  sessionId,
  forkedFrom,
  forks,
}: {
  sessionId: string;
  forkedFrom: ForkOrigin | null;
  forks: readonly ForkSummary[];
}) {
  if (!forkedFrom && forks.length === 0) return null;
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="forks-panel">
      <Typography variant="subtitle2" component="h2" sx={{ mb: 1 }}>
        Forks
      </Typography>
      {forkedFrom && (
        <Box sx={{ mb: forks.length ? 1.5 : 0 }}>
          <Typography variant="body2">
            Forked from{" "}
            <Link component={RouterLink} to={`/sessions/${encodeURIComponent(forkedFrom.sessionId)}`}>
              {short(forkedFrom.sessionId)}
            </Link>{" "}
            at <code>{forkedFrom.checkpointId}</code>
          </Typography>
          <Typography variant="caption" color="text.secondary" component="div">
            {forkedFrom.llmProvider ? `model provider ${forkedFrom.llmProvider}` : "each agent's own provider"}
            {forkedFrom.instructions ? ` · instructions: “${forkedFrom.instructions}”` : ""}
          </Typography>
          <Link component={RouterLink} to={comparePath(forkedFrom.sessionId, sessionId)} variant="body2">
            Compare with its parent
          </Link>
        </Box>
      )}
      {forks.map((f) => (
        <Box key={f.sessionId} sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap", py: 0.5 }}>
          <Link component={RouterLink} to={`/sessions/${encodeURIComponent(f.sessionId)}`} variant="body2">
            {short(f.sessionId)}
          </Link>
          <StatusChip status={f.status} />
          <Typography variant="caption" color="text.secondary">
            {f.checkpointId} · {f.llmProvider ?? "own providers"}
          </Typography>
          <Link component={RouterLink} to={comparePath(sessionId, f.sessionId)} variant="caption" sx={{ ml: "auto" }}>
            Compare
          </Link>
        </Box>
      ))}
    </Paper>
  );
}
