import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import type { SessionDetail } from "../../api/session";
import { Markdown } from "../common/Markdown";
import { StatusChip } from "../common/StatusChip";

function Column({ title, session }: { title: string; session: SessionDetail }) {
  const providers = [
    ...new Set(session.stages.flatMap((s) => s.executions.map((e) => `${e.llmProvider} · ${e.model}`))),
  ];
  return (
    <Paper variant="outlined" sx={{ p: 2, minWidth: 0 }} data-testid={`compare-${title.toLowerCase()}`}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1 }}>
        <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem" }}>
          {title}
        </Typography>
        <Link component={RouterLink} to={`/sessions/${encodeURIComponent(session.id)}`} variant="body2">
          {session.id.slice(0, 8)}
        </Link>
        <StatusChip status={session.status} />
      </Box>
      <Typography variant="caption" color="text.secondary" component="div" sx={{ mb: 1 }}>
        {providers.join(", ") || "no agent ran"}
        {session.forkedFrom ? ` · forked at ${session.forkedFrom.checkpointId}` : ""}
      </Typography>
      <Typography variant="subtitle2" component="h3">
        Executive summary
      </Typography>
      <Markdown text={session.executiveSummary ?? "—"} />
      <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
        Final analysis
      </Typography>
      <Markdown text={session.finalAnalysis ?? session.errorMessage ?? "—"} />
      <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
        Stages
      </Typography>
      {session.stages.map((stage) => (
        <Box key={stage.id} sx={{ display: "flex", gap: 1, alignItems: "center", py: 0.25 }}>
          <Typography variant="body2">{stage.name}</Typography>
          <StatusChip status={stage.status} />
          <Typography variant="caption" color="text.secondary">
            {stage.executions.map((e) => `${e.agentName} (${e.llmProvider})`).join(", ")}
          </Typography>
        </Box>
      ))}
    </Paper>
  );
}

/** A fork next to its parent: results, summaries and who answered each stage. */
export function SessionCompare({ parent, fork }: { parent: SessionDetail; fork: SessionDetail }) {
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "1fr 1fr" } }}>
      <Column title="Parent" session={parent} />
      <Column title="Fork" session={fork} />
    </Box>
  );
}
