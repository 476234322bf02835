/** The trace of a session: every LLM and MCP interaction, grouped by stage and agent. */

import { asArray, asNumber, asOptionalNumber, asRecord, asString, toDate } from "./convert";
import { API_PREFIX, request } from "./http";

export type InteractionKind = "llm" | "mcp";

export interface InteractionSummary {
  id: string;
  kind: InteractionKind;
  createdAt: Date | null;
  interactionType: string;
  provider: string;
  model: string;
  server: string;
  tool: string;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  error: string | null;
  isError: boolean;
}

export interface TraceExecution {
  executionId: string;
  agentName: string;
  agentIndex: number;
  interactions: InteractionSummary[];
}

export interface TraceStage {
  stageId: string;
  stageIndex: number;
  name: string;
  stageType: string;
  executions: TraceExecution[];
}

export interface SessionTrace {
  sessionId: string;
  stages: TraceStage[];
  sessionInteractions: InteractionSummary[];
}

export interface ToolCallRequest {
  id: string;
  name: string;
  args: unknown;
}

export interface LlmMessage {
  role: string;
  content: string;
  toolCalls: ToolCallRequest[];
  toolCallId: string | null;
}

export interface LlmInteractionDetail extends InteractionSummary {
  messages: LlmMessage[];
  /** The model's reply as a message when the server sends one; raw otherwise. */
  response: LlmMessage | null;
  rawResponse: unknown;
  thinking: string | null;
  tools: string[];
  thinkingTokens: number | null;
}

export interface McpInteractionDetail {
  id: string;
  server: string;
  tool: string;
  arguments: unknown;
  result: unknown;
  isError: boolean;
  error: string | null;
  availableTools: unknown;
  durationMs: number | null;
}

function toInteraction(raw: unknown): InteractionSummary {
  const w = asRecord(raw);
  return {
    id: asString(w.id ?? w.interaction_id),
    kind: w.kind === "mcp" ? "mcp" : "llm",
    createdAt: toDate(asString(w.created_at) || null),
    interactionType: asString(w.interaction_type),
    provider: asString(w.provider),
    model: asString(w.model),
    server: asString(w.server),
    tool: asString(w.tool),
    inputTokens: asOptionalNumber(w.input_tokens),
    outputTokens: asOptionalNumber(w.output_tokens),
    durationMs: asOptionalNumber(w.duration_ms),
    error: w.error == null || w.error === "" ? null : asString(w.error),
    isError: w.is_error === true || (w.error != null && w.error !== ""),
  };
}

export function toSessionTrace(raw: unknown): SessionTrace {
  const w = asRecord(raw);
  return {
    sessionId: asString(w.session_id),
    stages: asArray<unknown>(w.stages).map((s) => {
      const stage = asRecord(s);
      return {
        stageId: asString(stage.stage_id ?? stage.id),
        stageIndex: asNumber(stage.stage_index),
        name: asString(stage.name ?? stage.stage_name),
        stageType: asString(stage.stage_type),
        executions: asArray<unknown>(stage.executions).map((e) => {
          const exec = asRecord(e);
          return {
            executionId: asString(exec.execution_id ?? exec.id),
            agentName: asString(exec.agent_name),
            agentIndex: asNumber(exec.agent_index),
            interactions: asArray<unknown>(exec.interactions).map(toInteraction),
          };
        }),
      };
    }),
    sessionInteractions: asArray<unknown>(w.session_interactions).map(toInteraction),
  };
}

function contentText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((part) => {
        const p = asRecord(part);
        return asString(
          p.text ?? p.reasoning ?? p.thinking ?? (typeof part === "string" ? part : JSON.stringify(part)),
        );
      })
      .join("");
  }
  return value == null ? "" : JSON.stringify(value, null, 2);
}

function toMessage(m: unknown, fallbackRole = "message"): LlmMessage {
  const msg = asRecord(m);
  return {
    role: asString(msg.role ?? msg.type, fallbackRole),
    content: contentText(msg.content),
    toolCalls: asArray<unknown>(msg.tool_calls).map((c) => {
      const call = asRecord(c);
      return { id: asString(call.id), name: asString(call.name), args: call.arguments ?? call.args ?? {} };
    }),
    toolCallId: msg.tool_call_id == null ? null : asString(msg.tool_call_id),
  };
}

export function toLlmDetail(raw: unknown): LlmInteractionDetail {
  const w = asRecord(raw);
  const response = w.response;
  const isMessage =
    typeof response === "object" && response !== null && !Array.isArray(response) && "content" in response;
  return {
    ...toInteraction(raw),
    messages: asArray<unknown>(w.messages).map((m) => toMessage(m)),
    response: isMessage ? toMessage(response, "assistant") : null,
    rawResponse: response ?? null,
    thinking: w.thinking == null || w.thinking === "" ? null : asString(w.thinking),
    tools: asArray<unknown>(w.tools).map((t) => asString(typeof t === "object" ? asRecord(t).name : t)),
    thinkingTokens: asOptionalNumber(w.thinking_tokens),
  };
}

export function toMcpDetail(raw: unknown): McpInteractionDetail {
  const w = asRecord(raw);
  return {
    id: asString(w.id ?? w.interaction_id),
    server: asString(w.server),
    tool: asString(w.tool),
    arguments: w.arguments ?? {},
    result: w.result ?? null,
    isError: w.is_error === true,
    error: w.error == null || w.error === "" ? null : asString(w.error),
    availableTools: w.available_tools ?? null,
    durationMs: asOptionalNumber(w.duration_ms),
  };
}

export const traceKeys = {
  trace: (sessionId: string) => ["session", sessionId, "trace"] as const,
  interaction: (sessionId: string, kind: InteractionKind, id: string) =>
    ["session", sessionId, "trace", kind, id] as const,
};

const base = (sessionId: string) => `${API_PREFIX}/sessions/${encodeURIComponent(sessionId)}/trace`;

export function fetchTrace(sessionId: string, signal?: AbortSignal): Promise<SessionTrace> {
  return request(base(sessionId), toSessionTrace, { signal });
}

export function fetchLlmInteraction(
  sessionId: string,
  id: string,
  signal?: AbortSignal,
): Promise<LlmInteractionDetail> {
  return request(`${base(sessionId)}/llm/${encodeURIComponent(id)}`, toLlmDetail, { signal });
}

export function fetchMcpInteraction(
  sessionId: string,
  id: string,
  signal?: AbortSignal,
): Promise<McpInteractionDetail> {
  return request(`${base(sessionId)}/mcp/${encodeURIComponent(id)}`, toMcpDetail, { signal });
}
