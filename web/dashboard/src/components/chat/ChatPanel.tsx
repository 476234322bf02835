import SendIcon from "@mui/icons-material/Send";
import StopCircleOutlinedIcon from "@mui/icons-material/StopCircleOutlined";
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { type FormEvent, useState } from "react";
import { type ChatMessage, isChatInFlight } from "../../api/chat";
import { formatTime } from "../../lib/format";
import { Markdown } from "../common/Markdown";
import { StatusChip } from "../common/StatusChip";

export interface LiveAnswer {
  text: string;
  thinking: boolean;
}

export interface ChatPanelProps {
  messages: readonly ChatMessage[];
  /** Why the composer is closed, or null when questions can be sent. */
  closedReason: string | null;
  /** Live answer text by message id, while the answer is not stored yet. */
  live: Readonly<Record<string, LiveAnswer>>;
  sending: boolean;
  error: string | null;
  onSend: (content: string) => Promise<boolean>;
  onCancel: () => void;
}

function Answer({ message, live }: { message: ChatMessage; live: LiveAnswer | null }) {
  if (message.answer) return <Markdown text={message.answer} />;
  if (live?.text) return <Markdown text={live.text} streaming={isChatInFlight(message)} />;
  if (isChatInFlight(message)) {
    return (
      <Typography variant="body2" color="text.secondary" sx={{ fontStyle: "italic" }}>
        {live?.thinking ? "Thinking" : message.status === "pending" ? "Waiting for a worker" : "Investigating"}
        <span className="thinking-dots" aria-hidden>
          <span>.</span>
          <span>.</span>
          <span>.</span>
        </span>
      </Typography>
    );
  }
  return (
    <Typography variant="body2" color="error">
      {message.errorMessage ?? `No answer (${message.status.replace("_", " ")}).`}
    </Typography>
  );
}

/** Follow-up questions on a finished investigation; answers stream in as the chat agent works. */
export function ChatPanel({ messages, closedReason, live, sending, error, onSend, onCancel }: ChatPanelProps) {
  const [draft, setDraft] = useState("");
  const inFlight = messages.find(isChatInFlight) ?? null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    if (await onSend(text)) setDraft("");
  };
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, md: 2 } }} id="chat" data-testid="chat-panel">
      <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem", mb: 1 }}>
        Follow-up chat
      </Typography>
      {messages.length === 0 && !closedReason && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Ask about the findings; the chat agent sees the whole investigation and can use its tools.
        </Typography>
      )}
      <Box sx={{ display: "grid", gap: 2, mb: 2 }}>
        {messages.map((m) => (
          <Box key={m.messageId} data-testid="chat-message" data-status={m.status}>
            <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 0.5, flexWrap: "wrap" }}>
              <Typography variant="body2" sx={{ fontWeight: 700 }}>
                {m.author || "someone"}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {formatTime(m.createdAt)}
              </Typography>
              {m.status !== "completed" && <StatusChip status={m.status} />}
              {m.cancelledBy && (
                <Typography variant="caption" color="text.secondary" data-testid="chat-cancelled-by">
                  cancelled by {m.cancelledBy}
                </Typography>
              )}
            </Box>
            <Box sx={{ bgcolor: "action.hover", borderRadius: 2, px: 1.5, py: 1, mb: 1, whiteSpace: "pre-wrap" }}>
              <Typography variant="body2">{m.content}</Typography>
            </Box>
            <Box sx={{ pl: { xs: 0.5, md: 2 }, borderLeft: 2, borderColor: "primary.light" }} data-testid="chat-answer">
              <Answer message={m} live={live[m.messageId] ?? null} />
            </Box>
          </Box>
        ))}
      </Box>
      {closedReason ? (
        <Alert severity="info" variant="outlined">
          {closedReason}
        </Alert>
      ) : (
        <Box
          component="form"
          onSubmit={submit}
          sx={{ display: "flex", gap: 1, alignItems: "flex-start", flexWrap: { xs: "wrap", sm: "nowrap" } }}
        >
          <TextField
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder={inFlight ? "Wait for the current answer…" : "Ask a follow-up question"}
            multiline
            maxRows={6}
            fullWidth
            size="small"
            disabled={Boolean(inFlight)}
            slotProps={{ htmlInput: { "aria-label": "chat question" } }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) void submit(e);
            }}
          />
          {inFlight ? (
            <Button color="error" variant="outlined" startIcon={<StopCircleOutlinedIcon />} onClick={onCancel}>
              Stop
            </Button>
          ) : (
            <Button type="submit" variant="contained" endIcon={<SendIcon />} disabled={sending || !draft.trim()}>
              Send
            </Button>
          )}
        </Box>
      )}
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
    </Paper>
  );
}
