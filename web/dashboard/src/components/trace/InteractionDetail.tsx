import type { ReactNode } from "react";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Typography from "@mui/material/Typography";
import type { LlmInteractionDetail, LlmMessage, McpInteractionDetail } from "../../api/trace";
import { formatCost, formatDuration, formatTokens, prettyJson } from "../../lib/format";
import { CodeBlock } from "../common/CodeBlock";

const ROLE_COLOR: Record<string, string> = {
  system: "text.secondary",
  user: "primary.main",
  human: "primary.main",
  assistant: "secondary.main",
  ai: "secondary.main",
  tool: "warning.main",
};

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box sx={{ mb: 2 }}>
      <Typography variant="overline" color="text.secondary">
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function MessageView({ message: m }: { message: LlmMessage }) {
  return (
    <Box sx={{ borderLeft: 3, borderColor: ROLE_COLOR[m.role] ?? "divider", pl: 1.5 }} data-testid="llm-message">
      <Typography
        variant="caption"
        sx={{ fontWeight: 700, color: ROLE_COLOR[m.role] ?? "text.primary", textTransform: "uppercase" }}
      >
        {m.role}
        {m.toolCallId ? ` · for call ${m.toolCallId}` : ""}
      </Typography>
      {m.content && <CodeBlock maxHeight={320}>{m.content}</CodeBlock>}
      {m.toolCalls.map((c, i) => (
        <Box key={c.id || `${c.name}-${i}`} sx={{ mt: 0.5 }}>
          <Typography variant="caption" sx={{ fontFamily: "monospace" }}>
            calls {c.name}
            {c.id ? ` (${c.id})` : ""}
          </Typography>
          <CodeBlock maxHeight={200}>{prettyJson(c.args)}</CodeBlock>
        </Box>
      ))}
    </Box>
  );
}

export function LlmDetail({ detail }: { detail: LlmInteractionDetail }) {
  return (
    <Box data-testid="llm-detail">
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", mb: 2 }}>
        <Chip size="small" label={detail.interactionType || "llm"} />
        <Chip size="small" variant="outlined" label={`${detail.provider} · ${detail.model}`} />
        <Chip size="small" variant="outlined" label={formatDuration(detail.durationMs)} />
        <Chip
          size="small"
          variant="outlined"
          label={`${formatTokens(detail.inputTokens)} in / ${formatTokens(detail.outputTokens)} out`}
        />
        {!detail.error && (
          <Chip
            size="small"
            variant="outlined"
            data-testid="llm-cost"
            label={formatCost(detail.costUsd, detail.costEstimated)}
            title={
              [detail.costEstimated ? "token counts estimated (the provider reported none)" : "", detail.costNote ?? ""]
                .filter(Boolean)
                .join("; ") || "estimated cost from list prices"
            }
          />
        )}
        {detail.error && <Chip size="small" color="error" label={detail.error} />}
      </Box>
      {detail.tools.length > 0 && (
        <Section title={`Tools offered (${detail.tools.length})`}>
          <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
            {detail.tools.map((t) => (
              <Chip key={t} size="small" variant="outlined" label={t} sx={{ fontFamily: "monospace" }} />
            ))}
          </Box>
        </Section>
      )}
      <Section title={`Conversation (${detail.messages.length} messages)`}>
        <Box sx={{ display: "grid", gap: 1 }}>
          {detail.messages.map((m, i) => (
            <MessageView key={i} message={m} />
          ))}
        </Box>
      </Section>
      {detail.thinking && (
        <Section title={`Thinking${detail.thinkingTokens ? ` (${formatTokens(detail.thinkingTokens)} tokens)` : ""}`}>
          <CodeBlock>{detail.thinking}</CodeBlock>
        </Section>
      )}
      <Section title="Response">
        {detail.response ? (
          <MessageView message={detail.response} />
        ) : (
          <CodeBlock>{detail.error ?? prettyJson(detail.rawResponse)}</CodeBlock>
        )}
      </Section>
    </Box>
  );
}

export function McpDetail({ detail }: { detail: McpInteractionDetail }) {
  return (
    <Box data-testid="mcp-detail">
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", mb: 2 }}>
        <Chip size="small" label={`${detail.server}.${detail.tool}`} sx={{ fontFamily: "monospace" }} />
        <Chip size="small" variant="outlined" label={formatDuration(detail.durationMs)} />
        {detail.isError && <Chip size="small" color="error" label="error" />}
      </Box>
      <Section title="Arguments">
        <CodeBlock>{prettyJson(detail.arguments)}</CodeBlock>
      </Section>
      <Section title="Result">
        <CodeBlock maxHeight={600}>{prettyJson(detail.result)}</CodeBlock>
      </Section>
      {detail.error && (
        <Section title="Error">
          <Typography color="error" variant="body2">
            {detail.error}
          </Typography>
        </Section>
      )}
      {detail.availableTools != null && (
        <Section title="Available tools">
          <CodeBlock maxHeight={240}>{prettyJson(detail.availableTools)}</CodeBlock>
        </Section>
      )}
    </Box>
  );
}
