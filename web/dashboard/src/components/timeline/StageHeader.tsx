import CallSplitIcon from "@mui/icons-material/CallSplit";
import LinkIcon from "@mui/icons-material/Link";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import IconButton from "@mui/material/IconButton";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { durationBetween, formatDuration } from "../../lib/format";
import { StatusChip } from "../common/StatusChip";
import type { Section } from "./model";

const TYPE_LABEL: Record<string, string | null> = {
  investigation: null,
  synthesis: "synthesis",
  exec_summary: "executive summary",
  chat: "chat",
};

export function StageHeader({
  section,
  now,
  onLink,
  onFork,
}: {
  section: Section;
  now: number;
  onLink: () => void;
  /** Offered on an ended session: start a fork from a resume point of this stage. */
  onFork?: () => void;
}) {
  const stage = section.stage;
  if (!stage) {
    return (
      <Typography variant="h6" component="h3" sx={{ pt: 2, pb: 1, fontSize: "1rem" }}>
        Result
      </Typography>
    );
  }
  const single = section.lanes.length === 1 && !section.parallel ? section.lanes[0]?.execution : null;
  const typeLabel = TYPE_LABEL[stage.stageType];
  return (
    <Box
      id={`stage-${stage.id}`}
      data-testid="stage-header"
      sx={{
        display: "flex",
        alignItems: "center",
        gap: 1,
        flexWrap: "wrap",
        pt: 2.5,
        pb: 1,
        borderBottom: 1,
        borderColor: "divider",
      }}
    >
      <Typography variant="h6" component="h3" sx={{ fontSize: "1rem", fontWeight: 700 }}>
        {stage.name}
      </Typography>
      {typeLabel && <Chip size="small" variant="outlined" label={typeLabel} />}
      {section.synthesisOf && (
        <Typography variant="body2" color="text.secondary">
          weighs the findings of “{section.synthesisOf}”
        </Typography>
      )}
      {section.parallel && (
        <Chip
          size="small"
          variant="outlined"
          label={`${section.lanes.length} agents · ${stage.parallelType === "replica" ? "replicas" : "parallel"}`}
        />
      )}
      <StatusChip status={stage.status} />
      {single && (
        <Typography variant="body2" color="text.secondary">
          {single.agentName}
          {single.model ? ` · ${single.model}` : ""}
        </Typography>
      )}
      <Typography variant="body2" color="text.secondary" sx={{ ml: "auto" }}>
        {formatDuration(durationBetween(stage.startedAt, stage.completedAt, now))}
      </Typography>
      {onFork && stage.stageType !== "chat" && (
        <Tooltip title="Fork from here: rerun from this stage, e.g. with another model">
          <IconButton size="small" onClick={onFork} aria-label={`fork from ${stage.name}`}>
            <CallSplitIcon fontSize="small" />
          </IconButton>
        </Tooltip>
      )}
      <Tooltip title="Link to this stage">
        <IconButton size="small" onClick={onLink} aria-label="link to stage">
          <LinkIcon fontSize="small" />
        </IconButton>
      </Tooltip>
      {stage.errorMessage && (
        <Typography variant="body2" color="error" sx={{ width: "100%" }}>
          {stage.errorMessage}
        </Typography>
      )}
    </Box>
  );
}
