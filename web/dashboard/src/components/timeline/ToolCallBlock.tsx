import BuildOutlinedIcon from "@mui/icons-material/BuildOutlined";
import ErrorOutlinedIcon from "@mui/icons-material/ErrorOutlined";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import CircularProgress from "@mui/material/CircularProgress";
import Typography from "@mui/material/Typography";
import { type TimelineEvent, toolCallInfo } from "../../api/timeline";
import { prettyJson } from "../../lib/format";
import { CodeBlock } from "../common/CodeBlock";

const FOLD_LINES = 14;

/** A tool call: what was asked (arguments) and what came back (masked by the server). */
export function ToolCallBlock({
  event,
  expanded,
  onToggle,
}: {
  event: TimelineEvent;
  expanded: boolean;
  onToggle: () => void;
}) {
  const info = toolCallInfo(event);
  const running = event.status === "streaming";
  const failed = info.isError || event.status === "failed";
  const args = Object.keys(info.arguments).length ? prettyJson(info.arguments) : "";
  const lines = event.content.split("\n");
  const long = lines.length > FOLD_LINES || event.content.length > 2000;
  const shown = !long || expanded ? event.content : `${lines.slice(0, FOLD_LINES).join("\n").slice(0, 2000)}\n…`;
  return (
    <Box
      data-testid="tool-call"
      sx={{ border: 1, borderColor: failed ? "error.light" : "divider", borderRadius: 1, overflow: "hidden" }}
    >
      <Box
        sx={{
          display: "flex",
          alignItems: "center",
          gap: 1,
          px: 1.5,
          py: 0.75,
          bgcolor: "action.hover",
          flexWrap: "wrap",
        }}
      >
        {failed ? (
          <ErrorOutlinedIcon fontSize="small" color="error" />
        ) : (
          <BuildOutlinedIcon fontSize="small" color="action" />
        )}
        <Typography variant="body2" sx={{ fontFamily: "monospace", fontWeight: 600 }}>
          {info.server && (
            <Box component="span" sx={{ color: "text.secondary" }}>
              {info.server}.
            </Box>
          )}
          {info.name}
        </Typography>
        {running && <CircularProgress size={14} aria-label="tool running" />}
        {failed && <Chip size="small" color="error" variant="outlined" label="error" />}
        {info.summarized && <Chip size="small" variant="outlined" label="summarized" />}
      </Box>
      <Box sx={{ p: 1.25, display: "grid", gap: 1 }}>
        {args && (
          <Box>
            <Typography variant="caption" color="text.secondary">
              Arguments
            </Typography>
            <CodeBlock label="arguments" maxHeight={200}>
              {args}
            </CodeBlock>
          </Box>
        )}
        <Box>
          <Typography variant="caption" color="text.secondary">
            {running ? "Running…" : "Result"}
          </Typography>
          {(event.content || !running) && (
            <CodeBlock label="result" maxHeight={expanded ? "none" : 360}>
              {shown || "(empty result)"}
            </CodeBlock>
          )}
          {long && (
            <Button size="small" onClick={onToggle} sx={{ mt: 0.5 }}>
              {expanded ? "Show less" : `Show all ${lines.length} lines`}
            </Button>
          )}
        </Box>
      </Box>
    </Box>
  );
}
