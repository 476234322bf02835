import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { SystemWarning } from "../../api/system";
import { formatTime } from "../../lib/format";

export function WarningsList({ warnings }: { warnings: SystemWarning[] }) {
  if (warnings.length === 0) return <Typography color="text.secondary">No warnings.</Typography>;
  return (
    <Box sx={{ display: "grid", gap: 1 }}>
      {warnings.map((w) => (
        <Alert key={w.id || w.message} severity="warning" variant="outlined">
          <strong>{w.category}</strong>
          {w.server ? ` · ${w.server}` : ""}: {w.message}
          <Typography variant="caption" color="text.secondary" sx={{ display: "block" }}>
            since {formatTime(w.createdAt)}
          </Typography>
        </Alert>
      ))}
    </Box>
  );
}
