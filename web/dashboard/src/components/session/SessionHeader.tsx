import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import StopCircleOutlinedIcon from "@mui/icons-material/StopCircleOutlined";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import type { SessionDetail, SessionStats } from "../../api/session";
import { isTerminal } from "../../api/status";
import {
  costTitle,
  durationBetween,
  formatCost,
  formatDuration,
  formatTime,
  formatTokens,
  shortId,
} from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { StatusChip } from "../common/StatusChip";

function Figure({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <Box sx={{ minWidth: 88 }} title={title}>
      <Typography variant="caption" color="text.secondary" sx={{ display: "block", lineHeight: 1.2 }}>
        {label}
      </Typography>
      <Typography variant="body2" sx={{ fontWeight: 600, fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Typography>
    </Box>
  );
}

export interface SessionHeaderProps {
  session: SessionDetail;
  stats: SessionStats | null;
  cancelling: boolean;
  onCancel: () => void;
  cancelError: string | null;
}

export function SessionHeader({ session, stats, cancelling, onCancel, cancelError }: SessionHeaderProps) {
  const running = !isTerminal(session.status);
  const now = useNow(running ? 1000 : 0);
  const duration = session.durationMs ?? durationBetween(session.startedAt, session.completedAt, now);
  const tokens = stats ? `${formatTokens(stats.inputTokens)} in · ${formatTokens(stats.outputTokens)} out` : "—";
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, md: 2 }, mb: 2 }} data-testid="session-header">
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap" }}>
        <StatusChip status={session.status} size="medium" />
        <Typography variant="h5" component="h1" sx={{ fontSize: { xs: "1.15rem", md: "1.4rem" }, fontWeight: 700 }}>
          {session.alertType}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ fontFamily: "monospace" }} title={session.id}>
          {shortId(session.id)}
        </Typography>
        <Box sx={{ ml: "auto", display: "flex", gap: 1 }}>
          <Button
            component={RouterLink}
            to={`/sessions/${session.id}/trace`}
            size="small"
            variant="outlined"
            startIcon={<AccountTreeOutlinedIcon />}
          >
            Trace
          </Button>
          {running && (
            <Tooltip title="Stop the investigation; open steps end as cancelled">
              <span>
                <Button
                  size="small"
                  color="error"
                  variant="outlined"
                  startIcon={<StopCircleOutlinedIcon />}
                  onClick={onCancel}
                  disabled={cancelling || session.status === "cancelling"}
                >
                  {session.status === "cancelling" || cancelling ? "Cancelling…" : "Cancel"}
                </Button>
              </span>
            </Tooltip>
          )}
        </Box>
      </Box>
      <Box sx={{ display: "flex", gap: { xs: 2, md: 4 }, flexWrap: "wrap", mt: 1.5 }}>
        <Figure label="Chain" value={session.chainId} />
        <Figure label="Author" value={session.author} />
        {session.cancelledBy && <Figure label="Cancelled by" value={session.cancelledBy} />}
        <Figure label="Created" value={formatTime(session.createdAt)} />
        <Figure label="Started" value={formatTime(session.startedAt)} />
        <Figure label="Completed" value={formatTime(session.completedAt)} />
        <Figure label={running ? "Running for" : "Duration"} value={formatDuration(duration)} />
        <Figure
          label="Tokens"
          value={tokens}
          title={stats ? `${stats.totalTokens} total tokens` : "token totals unavailable"}
        />
        <Figure label="Cost" value={formatCost(session.costUsd, session.costEstimated)} title={costTitle(session)} />
      </Box>
      {session.errorMessage && (
        <Typography color="error" variant="body2" sx={{ mt: 1.5, whiteSpace: "pre-wrap" }}>
          {session.errorMessage}
        </Typography>
      )}
      {cancelError && (
        <Typography color="error" variant="body2" sx={{ mt: 1 }}>
          {cancelError}
        </Typography>
      )}
    </Paper>
  );
}
