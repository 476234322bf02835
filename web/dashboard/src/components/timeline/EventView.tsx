import AccountTreeOutlinedIcon from "@mui/icons-material/AccountTreeOutlined";
import AutoAwesomeOutlinedIcon from "@mui/icons-material/AutoAwesomeOutlined";
import MenuBookOutlinedIcon from "@mui/icons-material/MenuBookOutlined";
import PersonOutlinedIcon from "@mui/icons-material/PersonOutlined";
import SearchIcon from "@mui/icons-material/Search";
import SummarizeOutlinedIcon from "@mui/icons-material/SummarizeOutlined";
import TerminalIcon from "@mui/icons-material/Terminal";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { asString } from "../../api/convert";
import { searchInfo, type TimelineEvent } from "../../api/timeline";
import { CodeBlock } from "../common/CodeBlock";
import { Markdown } from "../common/Markdown";
import { ApprovalDecidedLine, ApprovalRequestCard } from "./ApprovalCard";
import { ThinkingBlock } from "./ThinkingBlock";
import { ToolCallBlock } from "./ToolCallBlock";

function Labelled({
  icon,
  label,
  children,
  tone,
}: {
  icon: ReactNode;
  label: string;
  children: ReactNode;
  tone?: string;
}) {
  return (
    <Box sx={{ border: 1, borderColor: tone ?? "divider", borderRadius: 1, p: 1.5 }}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 0.75, mb: 0.75, color: "text.secondary" }}>
        {icon}
        <Typography variant="caption" sx={{ fontWeight: 700, textTransform: "uppercase", letterSpacing: 0.5 }}>
          {label}
        </Typography>
      </Box>
      {children}
    </Box>
  );
}

function PartialNote({ event }: { event: TimelineEvent }) {
  if (!event.partial || event.status !== "streaming") return null;
  return (
    <Typography variant="caption" color="warning.main" sx={{ display: "block", mb: 0.5 }}>
      Joined mid-stream: earlier text is missing here and appears in full when this step completes.
    </Typography>
  );
}

export interface EventViewProps {
  event: TimelineEvent;
  expanded: boolean;
  onToggle: () => void;
}

/** One timeline event, drawn by what it is. */
export function EventView({ event, expanded, onToggle }: EventViewProps) {
  const streaming = event.status === "streaming";
  switch (event.eventType) {
    case "llm_thinking":
      return (
        <>
          <PartialNote event={event} />
          <ThinkingBlock event={event} expanded={expanded} onToggle={onToggle} />
        </>
      );
    case "llm_response":
      return (
        <Box data-testid="response" data-streaming={streaming || undefined} sx={{ px: 0.5 }}>
          <PartialNote event={event} />
          <Markdown text={event.content} streaming={streaming} />
          {event.status === "failed" && (
            <Typography variant="caption" color="error">
              (response interrupted)
            </Typography>
          )}
        </Box>
      );
    case "approval_requested":
      return <ApprovalRequestCard event={event} />;
    case "approval_decided":
      return <ApprovalDecidedLine event={event} />;
    case "llm_tool_call":
      return <ToolCallBlock event={event} expanded={expanded} onToggle={onToggle} />;
    case "mcp_tool_summary":
      return (
        <Labelled
          icon={<SummarizeOutlinedIcon fontSize="small" />}
          label={`Summary of ${asString(event.metadata.tool, "tool result")}`}
        >
          <Markdown text={event.content} streaming={streaming} />
        </Labelled>
      );
    case "final_analysis":
      return (
        <Labelled icon={<AutoAwesomeOutlinedIcon fontSize="small" />} label="Final analysis" tone="primary.light">
          <Markdown text={event.content} streaming={streaming} />
        </Labelled>
      );
    case "executive_summary":
      return (
        <Labelled icon={<SummarizeOutlinedIcon fontSize="small" />} label="Executive summary" tone="primary.light">
          <Markdown text={event.content} streaming={streaming} />
        </Labelled>
      );
    case "code_execution": {
      const code = asString(event.metadata.code);
      const output = asString(event.metadata.output);
      return (
        <Labelled icon={<TerminalIcon fontSize="small" />} label="Code execution">
          {code || output ? (
            <Box sx={{ display: "grid", gap: 1 }}>
              <CodeBlock label="code">{code}</CodeBlock>
              <Typography variant="caption" color="text.secondary">
                Output
              </Typography>
              <CodeBlock label="output">{output || "(no output)"}</CodeBlock>
            </Box>
          ) : (
            <Markdown text={event.content} />
          )}
        </Labelled>
      );
    }
    case "google_search_result": {
      const { queries, sources } = searchInfo(event);
      return (
        <Labelled icon={<SearchIcon fontSize="small" />} label="Web search">
          {queries.length > 0 && (
            <Typography variant="body2" sx={{ mb: 0.5 }}>
              Searched: {queries.map((q) => `“${q}”`).join(", ")}
            </Typography>
          )}
          {sources.length > 0 ? (
            <Box component="ol" sx={{ m: 0, pl: 3 }}>
              {sources.map((s) => (
                <li key={s.uri}>
                  <Link href={s.uri} target="_blank" rel="noreferrer noopener" variant="body2">
                    {s.title || s.uri}
                  </Link>
                </li>
              ))}
            </Box>
          ) : (
            <Markdown text={event.content} />
          )}
        </Labelled>
      );
    }
    case "skill_loaded":
      return (
        <Box
          data-testid="skill-loaded"
          sx={{ display: "flex", gap: 0.75, alignItems: "center", color: "text.secondary" }}
        >
          <MenuBookOutlinedIcon fontSize="small" />
          <Typography variant="body2">Loaded skill: {event.content}</Typography>
        </Box>
      );
    case "sub_agent_result":
      return (
        <Labelled
          icon={<AccountTreeOutlinedIcon fontSize="small" />}
          label={`Sub-agent ${asString(event.metadata.agent, "result")}: ${asString(event.metadata.status)}`}
        >
          <Box data-testid="sub-agent-result">
            <Markdown text={event.content} streaming={false} />
          </Box>
        </Labelled>
      );
    case "memory_injected":
      return (
        <Labelled icon={<MenuBookOutlinedIcon fontSize="small" />} label="Memories from past investigations">
          <Box data-testid="memory-injected">
            <Markdown text={event.content} streaming={false} />
          </Box>
        </Labelled>
      );
    case "provider_fallback":
      return (
        <Alert severity="warning" variant="outlined" data-testid="provider-fallback">
          <Typography variant="body2">
            Switched provider: {asString(event.metadata.from_provider)} → {asString(event.metadata.to_provider)} (
            {asString(event.metadata.to_model)})
          </Typography>
          <Typography variant="caption" color="text.secondary" sx={{ display: "block", whiteSpace: "pre-wrap" }}>
            {asString(event.metadata.reason)}
          </Typography>
        </Alert>
      );
    case "error":
      return (
        <Alert severity="error" variant="outlined">
          <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
            {event.content}
          </Typography>
        </Alert>
      );
    case "user_question":
      return (
        <Box data-testid="user-question" sx={{ display: "flex", gap: 1, alignItems: "flex-start" }}>
          <PersonOutlinedIcon fontSize="small" color="primary" sx={{ mt: 0.25 }} />
          <Box
            sx={{
              bgcolor: "primary.main",
              color: "primary.contrastText",
              borderRadius: 2,
              px: 1.5,
              py: 1,
              maxWidth: "100%",
            }}
          >
            <Typography variant="caption" sx={{ opacity: 0.85, display: "block" }}>
              {asString(event.metadata.author, "someone")} asked
            </Typography>
            <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {event.content}
            </Typography>
          </Box>
        </Box>
      );
    default:
      return (
        <Labelled icon={null} label={event.rawType}>
          <Typography variant="body2" sx={{ whiteSpace: "pre-wrap" }}>
            {event.content}
          </Typography>
        </Labelled>
      );
  }
}
