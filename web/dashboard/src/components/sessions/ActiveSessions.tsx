import Box from "@mui/material/Box";
import Card from "@mui/material/Card";
import CardActionArea from "@mui/material/CardActionArea";
import Chip from "@mui/material/Chip";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import type { ActiveSessions, SessionSummary } from "../../api/sessions";
import { durationBetween, formatDuration, formatRelative, shortId } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { StatusChip } from "../common/StatusChip";

function SessionCard({ session, now }: { session: SessionSummary; now: number }) {
  const queued = session.status === "pending";
  return (
    <Card variant="outlined" data-testid={queued ? "queued-session" : "active-session"}>
      <CardActionArea component={RouterLink} to={`/sessions/${session.id}`} sx={{ p: 1.5, height: "100%" }}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 0.5 }}>
          <StatusChip status={session.status} />
          {queued && session.queuePosition !== null && (
            <Chip size="small" label={`#${session.queuePosition} in queue`} />
          )}
          <Typography variant="caption" color="text.secondary" sx={{ ml: "auto", fontFamily: "monospace" }}>
            {shortId(session.id)}
          </Typography>
        </Box>
        <Typography sx={{ fontWeight: 700 }} noWrap>
          {session.alertType}
        </Typography>
        <Typography variant="body2" color="text.secondary" noWrap>
          {session.chainId} · {session.author}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {queued
            ? `waiting ${formatRelative(session.createdAt, now).replace(" ago", "")}`
            : `running ${formatDuration(durationBetween(session.startedAt, null, now))}`}
        </Typography>
      </CardActionArea>
    </Card>
  );
}

/** Running and queued investigations, updated live. */
export function ActiveSessionsPanel({ data }: { data: ActiveSessions }) {
  const now = useNow(1000);
  const all = [...data.active, ...data.queued];
  if (all.length === 0) {
    return (
      <Typography color="text.secondary" variant="body2" data-testid="no-active">
        No investigation is running or queued.
      </Typography>
    );
  }
  return (
    <Box
      sx={{
        display: "grid",
        gap: 1.5,
        gridTemplateColumns: { xs: "1fr", sm: "repeat(2, 1fr)", md: "repeat(3, 1fr)", lg: "repeat(4, 1fr)" },
      }}
    >
      {all.map((s) => (
        <SessionCard key={s.id} session={s} now={now} />
      ))}
    </Box>
  );
}
