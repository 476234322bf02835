import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import { asRecord, asString } from "../../api/convert";
import type { Health } from "../../api/system";
import { StatusChip } from "../common/StatusChip";

export function HealthChecks({ health }: { health: Health }) {
  return (
    <Box sx={{ display: "grid", gap: 1 }}>
      <Box sx={{ display: "flex", gap: 1, alignItems: "center" }}>
        <StatusChip status={health.status} />
        <Typography variant="body2">mode: {health.mode}</Typography>
      </Box>
      {Object.entries(health.checks).map(([name, value]) => {
        const check = asRecord(value);
        const status = asString(check.status, "ok");
        const extra = Object.entries(check)
          .filter(([k]) => k !== "status")
          .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
          .join(" · ");
        return (
          <Box key={name} sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
            <Typography variant="body2" sx={{ fontWeight: 600, minWidth: 90 }}>
              {name}
            </Typography>
            <StatusChip status={status} />
            <Typography variant="body2" color="text.secondary">
              {extra}
            </Typography>
          </Box>
        );
      })}
    </Box>
  );
}
