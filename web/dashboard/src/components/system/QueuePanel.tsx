import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { QueueFigures } from "../../api/system";
import { formatDuration } from "../../lib/format";

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 1.5, minWidth: 130 }}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h5" sx={{ fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Typography>
    </Paper>
  );
}

export function QueuePanel({ queue, source }: { queue: QueueFigures; source: string }) {
  return (
    <Box>
      <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap" }} data-testid="queue-figures">
        <Figure label="Queued" value={String(queue.pending)} />
        <Figure label="Running" value={String(queue.active)} />
        <Figure
          label="Workers busy"
          value={queue.workersTotal === null ? "—" : `${queue.workersBusy ?? 0} / ${queue.workersTotal}`}
        />
        <Figure label="Oldest queued" value={queue.pending > 0 ? formatDuration(queue.oldestPendingS * 1000) : "—"} />
      </Box>
      <Typography variant="caption" color="text.secondary">
        from {source}
      </Typography>
    </Box>
  );
}
