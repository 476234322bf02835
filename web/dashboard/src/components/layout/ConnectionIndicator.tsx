import Box from "@mui/material/Box";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import type { ConnectionSummary, StreamReport } from "../../live/connection";

export type ServerReachability = "up" | "down" | "unknown";

const LOOK: Record<ConnectionSummary | "offline", { color: string; text: string; pulse: boolean }> = {
  live: { color: "success.main", text: "Live", pulse: true },
  connecting: { color: "info.main", text: "Connecting", pulse: true },
  reconnecting: { color: "warning.main", text: "Reconnecting", pulse: true },
  polling: { color: "info.main", text: "Polling", pulse: false },
  idle: { color: "text.disabled", text: "Connected", pulse: false },
  offline: { color: "error.main", text: "Offline", pulse: false },
};

/** One dot that tells whether what you see is live, catching up, or stale. */
export function ConnectionIndicator({
  summary,
  reports,
  server,
}: {
  summary: ConnectionSummary;
  reports: readonly StreamReport[];
  server: ServerReachability;
}) {
  const key = server === "down" ? "offline" : summary;
  const look = LOOK[key];
  const lines =
    server === "down"
      ? ["TARSy does not answer /health; what you see may be stale."]
      : reports.length === 0
        ? ["No live stream on this page."]
        : reports.map((r) => `${r.label}: ${r.state}${r.detail ? ` (${r.detail})` : ""}`);
  return (
    <Tooltip title={<Box sx={{ whiteSpace: "pre-line" }}>{lines.join("\n")}</Box>}>
      <Box
        sx={{ display: "flex", alignItems: "center", gap: 0.75, px: 1 }}
        data-testid="connection-indicator"
        data-state={key}
        role="status"
        aria-live="polite"
      >
        <Box
          component="span"
          className={look.pulse ? "pulse" : undefined}
          sx={{ width: 10, height: 10, borderRadius: "50%", bgcolor: look.color }}
        />
        <Typography variant="body2" sx={{ display: { xs: "none", sm: "block" }, color: "inherit" }}>
          {look.text}
        </Typography>
      </Box>
    </Tooltip>
  );
}
