import Box from "@mui/material/Box";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemText from "@mui/material/ListItemText";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { Stage } from "../../api/session";
import { durationBetween, formatDuration } from "../../lib/format";
import { StatusChip } from "../common/StatusChip";

/** The chain at a glance; a click jumps to the stage in the timeline. */
export function StageOutline({
  stages,
  now,
  onSelect,
}: {
  stages: readonly Stage[];
  now: number;
  onSelect: (stageId: string) => void;
}) {
  return (
    <Paper variant="outlined" data-testid="stage-outline">
      <Typography sx={{ fontWeight: 600, px: 2, pt: 1.5 }}>Stages</Typography>
      {stages.length === 0 ? (
        <Typography variant="body2" color="text.secondary" sx={{ px: 2, pb: 1.5 }}>
          None started yet.
        </Typography>
      ) : (
        <List dense>
          {stages.map((s) => (
            <ListItemButton key={s.id} onClick={() => onSelect(s.id)}>
              <ListItemText
                primary={
                  <Box component="span" sx={{ display: "flex", alignItems: "center", gap: 1 }}>
                    <Box
                      component="span"
                      sx={{ flex: 1, minWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                    >
                      {s.stageIndex + 1}. {s.name}
                    </Box>
                    <StatusChip status={s.status} />
                  </Box>
                }
                secondary={`${s.executions.map((e) => e.agentName).join(", ") || "—"} · ${formatDuration(durationBetween(s.startedAt, s.completedAt, now))}`}
              />
            </ListItemButton>
          ))}
        </List>
      )}
    </Paper>
  );
}
