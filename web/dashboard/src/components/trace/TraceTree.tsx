import BuildOutlinedIcon from "@mui/icons-material/BuildOutlined";
import ChatBubbleOutlinedIcon from "@mui/icons-material/ChatBubbleOutlined";
import Box from "@mui/material/Box";
import List from "@mui/material/List";
import ListItemButton from "@mui/material/ListItemButton";
import ListItemIcon from "@mui/material/ListItemIcon";
import ListItemText from "@mui/material/ListItemText";
import ListSubheader from "@mui/material/ListSubheader";
import Typography from "@mui/material/Typography";
import type { InteractionSummary, SessionTrace, TraceExecution } from "../../api/trace";
import { formatCost, formatDuration, formatTokens } from "../../lib/format";

export interface TraceSelection {
  kind: "llm" | "mcp";
  id: string;
}

function label(i: InteractionSummary): string {
  return i.kind === "mcp" ? `${i.server}.${i.tool}` : `${i.interactionType || "llm call"} · ${i.model || i.provider}`;
}

function detail(i: InteractionSummary): string {
  const parts = [formatDuration(i.durationMs)];
  if (i.kind === "llm") {
    parts.push(`${formatTokens(i.inputTokens)} in / ${formatTokens(i.outputTokens)} out`);
    if (!i.isError) parts.push(formatCost(i.costUsd, i.costEstimated));
  }
  if (i.error) parts.push(`error: ${i.error}`);
  return parts.join(" · ");
}

function Item({
  i,
  selected,
  onSelect,
}: {
  i: InteractionSummary;
  selected: boolean;
  onSelect: (s: TraceSelection) => void;
}) {
  return (
    <ListItemButton
      selected={selected}
      onClick={() => onSelect({ kind: i.kind, id: i.id })}
      data-testid="trace-interaction"
      data-kind={i.kind}
      sx={{ pl: 3, borderLeft: 3, borderColor: i.isError ? "error.main" : "transparent" }}
    >
      <ListItemIcon sx={{ minWidth: 32 }}>
        {i.kind === "mcp" ? <BuildOutlinedIcon fontSize="small" /> : <ChatBubbleOutlinedIcon fontSize="small" />}
      </ListItemIcon>
      <ListItemText
        primary={label(i)}
        secondary={detail(i)}
        slotProps={{
          primary: { variant: "body2", noWrap: true, sx: { fontFamily: i.kind === "mcp" ? "monospace" : undefined } },
          secondary: { variant: "caption" },
        }}
      />
    </ListItemButton>
  );
}

/** Executions in order, each sub-agent right after the one that dispatched it. */
function nested(executions: TraceExecution[]): TraceExecution[] {
  const ids = new Set(executions.map((e) => e.executionId));
  const roots = executions.filter((e) => !e.parentExecutionId || !ids.has(e.parentExecutionId));
  return roots.flatMap((root) => [root, ...executions.filter((e) => e.parentExecutionId === root.executionId)]);
}

/** Every LLM and MCP interaction, grouped by stage, then agent. */
export function TraceTree({
  trace,
  selected,
  onSelect,
}: {
  trace: SessionTrace;
  selected: TraceSelection | null;
  onSelect: (s: TraceSelection) => void;
}) {
  const isSelected = (i: InteractionSummary) => selected?.id === i.id && selected.kind === i.kind;
  const empty = trace.stages.length === 0 && trace.sessionInteractions.length === 0;
  if (empty) return <Typography color="text.secondary">No interactions recorded yet.</Typography>;
  return (
    <Box>
      {trace.stages.map((stage) => (
        <List
          key={stage.stageId}
          dense
          disablePadding
          subheader={
            <ListSubheader sx={{ fontWeight: 700, lineHeight: 2.5, bgcolor: "background.default" }}>
              {stage.stageIndex + 1}. {stage.name}
              {stage.stageType && stage.stageType !== "investigation" ? ` (${stage.stageType.replace("_", " ")})` : ""}
            </ListSubheader>
          }
        >
          {nested(stage.executions).map((exec) => (
            <Box
              key={exec.executionId}
              sx={exec.parentExecutionId ? { pl: 2 } : undefined}
              data-testid="trace-execution"
            >
              <Typography
                variant="caption"
                color="text.secondary"
                sx={{ pl: 2, display: "block", fontWeight: 600 }}
                title={exec.task ?? undefined}
              >
                {exec.parentExecutionId ? `↳ ${exec.agentName} (sub-agent)` : exec.agentName}
              </Typography>
              {exec.interactions.map((i) => (
                <Item key={`${i.kind}:${i.id}`} i={i} selected={isSelected(i)} onSelect={onSelect} />
              ))}
            </Box>
          ))}
        </List>
      ))}
      {trace.sessionInteractions.length > 0 && (
        <List dense disablePadding subheader={<ListSubheader sx={{ fontWeight: 700 }}>Session</ListSubheader>}>
          {trace.sessionInteractions.map((i) => (
            <Item key={`${i.kind}:${i.id}`} i={i} selected={isSelected(i)} onSelect={onSelect} />
          ))}
        </List>
      )}
    </Box>
  );
}
