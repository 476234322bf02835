/** The trace of a session: every LLM and MCP interaction, grouped by stage and agent. */

import { type Approval, toApproval } from "./approvals";
import { toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import type { Schemas } from "./wire";

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
  /** LLM calls: estimated US dollars; null when the call could not be priced (costNote says why). */
  costUsd: number | null;
  /** The token counts are estimates: the provider reported no usage. */
  costEstimated: boolean;
  costNote: string | null;
  durationMs: number | null;
  error: string | null;
  isError: boolean;
}

export interface TraceExecution {
  executionId: string;
  agentName: string;
  agentIndex: number;
  /** Set for a sub-agent: the execution that dispatched it. */
  parentExecutionId: string | null;
  task: string | null;
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
  /** Tool calls that waited for a person, with the decision. */
  approvals: Approval[];
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

// ---------------------------------------------------------------- wire types (generated from the API)

type InteractionWire = Schemas["InteractionOut"];
type SessionTraceWire = Schemas["SessionTrace"];
type MessageWire = Schemas["MessageOut"];
type LlmDetailWire = Schemas["LLMInteractionDetail"];
type McpDetailWire = Schemas["MCPInteractionDetail"];

function toInteraction(w: InteractionWire): InteractionSummary {
  return {
    id: w.id,
    kind: w.kind,
    createdAt: toDate(w.created_at),
    interactionType: w.interaction_type,
    provider: w.provider ?? "",
    model: w.model ?? "",
    server: w.server ?? "",
    tool: w.tool ?? "",
    inputTokens: w.input_tokens,
    outputTokens: w.output_tokens,
    costUsd: w.cost_usd ?? null,
    costEstimated: w.cost_estimated ?? false,
    costNote: w.cost_note ?? null,
    durationMs: w.duration_ms,
    error: w.error || null,
    isError: w.is_error || Boolean(w.error),
  };
}

export function toSessionTrace(raw: unknown): SessionTrace {
  const w = raw as SessionTraceWire;
  return {
    sessionId: w.session_id,
    stages: w.stages.map((stage) => ({
      stageId: stage.stage_id,
      stageIndex: stage.stage_index,
      name: stage.name,
      stageType: stage.stage_type,
      executions: stage.executions.map((exec) => ({
        executionId: exec.execution_id,
        agentName: exec.agent_name,
        agentIndex: exec.agent_index,
        parentExecutionId: exec.parent_execution_id ?? null,
        task: exec.task ?? null,
        interactions: exec.interactions.map(toInteraction),
      })),
    })),
    sessionInteractions: w.session_interactions.map(toInteraction),
    approvals: (w.approvals ?? []).map(toApproval),
  };
}

function toMessage(m: MessageWire): LlmMessage {
  return {
    role: m.role,
    content: m.content,
    toolCalls: (m.tool_calls ?? []).map((c) => ({ id: c.id ?? "", name: c.name, args: c.arguments })),
    toolCallId: m.tool_call_id,
  };
}

export function toLlmDetail(raw: unknown): LlmInteractionDetail {
  const w = raw as LlmDetailWire;
  return {
    id: w.id,
    kind: "llm",
    createdAt: toDate(w.created_at),
    interactionType: w.interaction_type,
    provider: w.provider,
    model: w.model,
    server: "",
    tool: "",
    inputTokens: w.input_tokens,
    outputTokens: w.output_tokens,
    costUsd: w.cost_usd ?? null,
    costEstimated: w.cost_estimated ?? false,
    costNote: w.cost_note ?? null,
    durationMs: w.duration_ms,
    error: w.error || null,
    isError: Boolean(w.error),
    messages: w.messages.map(toMessage),
    response: w.response === null ? null : toMessage(w.response),
    rawResponse: w.response,
    thinking: w.thinking || null,
    tools: w.tools,
    thinkingTokens: w.thinking_tokens,
  };
}

export function toMcpDetail(raw: unknown): McpInteractionDetail {
  const w = raw as McpDetailWire;
  return {
    id: w.id,
    server: w.server,
    tool: w.tool ?? "",
    arguments: w.arguments,
    result: w.result,
    isError: w.is_error,
    error: w.error || null,
    availableTools: w.available_tools,
    durationMs: w.duration_ms,
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
