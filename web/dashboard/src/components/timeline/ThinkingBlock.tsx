import ExpandLessIcon from "@mui/icons-material/ExpandLess";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import PsychologyOutlinedIcon from "@mui/icons-material/PsychologyOutlined";
import Box from "@mui/material/Box";
import ButtonBase from "@mui/material/ButtonBase";
import Typography from "@mui/material/Typography";
import type { TimelineEvent } from "../../api/timeline";

/** The model's reasoning: visibly apart from its answer, folded away once it is done. */
export function ThinkingBlock({
  event,
  expanded,
  onToggle,
}: {
  event: TimelineEvent;
  expanded: boolean;
  onToggle: () => void;
}) {
  const streaming = event.status === "streaming";
  const firstLine = event.content.split("\n", 1)[0] ?? "";
  return (
    <Box
      data-testid="thinking"
      data-streaming={streaming || undefined}
      sx={{
        borderLeft: 3,
        borderColor: "secondary.light",
        bgcolor: "action.hover",
        borderRadius: 1,
        px: 1.5,
        py: 0.75,
      }}
    >
      <ButtonBase
        onClick={onToggle}
        aria-expanded={expanded}
        sx={{
          display: "flex",
          width: "100%",
          justifyContent: "flex-start",
          gap: 1,
          textAlign: "left",
          borderRadius: 1,
        }}
      >
        <PsychologyOutlinedIcon fontSize="small" color="secondary" />
        <Typography variant="body2" sx={{ fontWeight: 600, color: "secondary.main", flexShrink: 0 }}>
          {streaming ? "Thinking" : "Thought"}
        </Typography>
        {streaming && (
          <Box
            component="span"
            className="thinking-dots"
            role="status"
            aria-label="thinking"
            sx={{ color: "secondary.main" }}
          >
            <span>.</span>
            <span>.</span>
            <span>.</span>
          </Box>
        )}
        {!expanded && (
          <Typography variant="body2" color="text.secondary" noWrap sx={{ flex: 1, minWidth: 0, fontStyle: "italic" }}>
            {firstLine}
          </Typography>
        )}
        <Box sx={{ ml: "auto", display: "flex" }}>
          {expanded ? <ExpandLessIcon fontSize="small" /> : <ExpandMoreIcon fontSize="small" />}
        </Box>
      </ButtonBase>
      {expanded && (
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ whiteSpace: "pre-wrap", fontStyle: "italic", mt: 0.5, overflowWrap: "anywhere" }}
          data-testid="thinking-text"
        >
          {event.content || (streaming ? "" : "(empty)")}
        </Typography>
      )}
    </Box>
  );
}
