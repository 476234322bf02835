/** One session: its detail (stages and executions), its summary figures, cancelling it, its stream. */

import { type Approval, mergeApprovals, toApproval } from "./approvals";
import { toDate } from "./convert";
import { type ForkOrigin, type ForkSummary, toForkOrigin, toForkSummary } from "./forks";
import { API_PREFIX, request } from "./http";
import { type ReviewEvent, type ReviewState, toReviewEvent } from "./reviews";
import type { Schemas } from "./wire";
import {
  laterRecordStatus,
  laterSessionStatus,
  type RecordStatus,
  type SessionStatus,
  toRecordStatus,
  toSessionStatus,
} from "./status";

// ---------------------------------------------------------------- wire types (generated from the API)

export type ExecutionWire = Schemas["ExecutionOut"];
export type StageWire = Schemas["StageOut"];
export type SessionDetailWire = Schemas["SessionOut"];
export type SessionStatsWire = Schemas["SessionStats"];
export type CancelWire = Schemas["CancelResponse"];
export type ScoreWire = Schemas["ScoreOut"];
type TokensWire = Schemas["Tokens"];

// ---------------------------------------------------------------- app types

export type StageType = "investigation" | "synthesis" | "exec_summary" | "chat";
export type ParallelType = "single" | "multi_agent" | "replica";

export interface Execution {
  id: string;
  agentName: string;
  agentIndex: number;
  strategy: string;
  llmProvider: string;
  model: string;
  status: RecordStatus;
  startedAt: Date | null;
  completedAt: Date | null;
  errorMessage: string | null;
  /** Set for a sub-agent: the execution that dispatched it. */
  parentExecutionId: string | null;
  task: string | null;
}

export interface Stage {
  id: string;
  stageIndex: number;
  name: string;
  stageType: StageType;
  parallelType: ParallelType;
  expectedAgents: number;
  successPolicy: string;
  referencedStageId: string | null;
  status: RecordStatus;
  startedAt: Date | null;
  completedAt: Date | null;
  errorMessage: string | null;
  executions: Execution[];
}

export interface SessionDetail {
  id: string;
  alertType: string;
  chainId: string;
  status: SessionStatus;
  alertData: unknown;
  runbookUrl: string | null;
  author: string;
  /** Who asked to cancel it (null when nobody did). */
  cancelledBy: string | null;
  finalAnalysis: string | null;
  executiveSummary: string | null;
  errorMessage: string | null;
  createdAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  durationMs: number | null;
  /** Estimated US dollars of the priced model calls; null when none could be priced. */
  costUsd: number | null;
  /** Some token counts are estimates (a provider reported no usage). */
  costEstimated: boolean;
  /** Answered calls without a price (not in costUsd). */
  unpricedCalls: number;
  stages: Stage[];
  /** Every approval of the session, pending and decided (REST `approvals`, then stream events). */
  approvals: Approval[];
  /** Where this session was forked from (null: not a fork). */
  forkedFrom: ForkOrigin | null;
  /** Sessions forked from this one, oldest first. */
  forks: ForkSummary[];
  /** Triage state (docs/review.md) and its audit log, oldest first. */
  review: ReviewState;
  reviewEvents: ReviewEvent[];
  /** The latest scoring run (null: never scored). */
  score: SessionScore | null;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface AgentStats extends TokenCounts {
  executionId: string;
  agentName: string;
  durationMs: number | null;
}

export interface StageStats extends TokenCounts {
  stageId: string;
  name: string;
  durationMs: number | null;
  agents: AgentStats[];
}

export interface SessionStats extends TokenCounts {
  durationMs: number | null;
  stages: StageStats[];
}

// ---------------------------------------------------------------- converters

function toStageType(value: string): StageType {
  return value === "synthesis" || value === "exec_summary" || value === "chat" ? value : "investigation";
}

function toParallelType(value: string): ParallelType {
  return value === "multi_agent" || value === "replica" ? value : "single";
}

export function toExecution(w: ExecutionWire): Execution {
  return {
    id: w.id,
    agentName: w.agent_name,
    agentIndex: w.agent_index,
    strategy: w.strategy,
    llmProvider: w.llm_provider,
    model: w.model,
    status: toRecordStatus(w.status),
    startedAt: toDate(w.started_at),
    completedAt: toDate(w.completed_at),
    errorMessage: w.error_message ?? null,
    parentExecutionId: w.parent_execution_id ?? null,
    task: w.task ?? null,
  };
}

export function toStage(w: StageWire): Stage {
  return {
    id: w.id,
    stageIndex: w.stage_index,
    name: w.name,
    stageType: toStageType(w.stage_type),
    parallelType: toParallelType(w.parallel_type),
    expectedAgents: w.expected_agents,
    successPolicy: w.success_policy,
    referencedStageId: w.referenced_stage_id ?? null,
    status: toRecordStatus(w.status),
    startedAt: toDate(w.started_at),
    completedAt: toDate(w.completed_at),
    errorMessage: w.error_message ?? null,
    executions: w.executions.map(toExecution),
  };
}

export function toSessionDetail(raw: unknown): SessionDetail {
  const w = raw as SessionDetailWire;
  return {
    id: w.id,
    alertType: w.alert_type,
    chainId: w.chain_id,
    status: toSessionStatus(w.status),
    alertData: w.alert_data,
    runbookUrl: w.runbook_url ?? null,
    author: w.author,
    cancelledBy: w.cancelled_by ?? null,
    finalAnalysis: w.final_analysis ?? null,
    executiveSummary: w.executive_summary ?? null,
    errorMessage: w.error_message ?? null,
    createdAt: toDate(w.created_at),
    startedAt: toDate(w.started_at),
    completedAt: toDate(w.completed_at),
    durationMs: w.duration_ms ?? null,
    costUsd: w.cost_usd ?? null,
    costEstimated: w.cost_estimated ?? false,
    unpricedCalls: w.unpriced_calls ?? 0,
    stages: w.stages.map(toStage).sort((a, b) => a.stageIndex - b.stageIndex),
    approvals: (w.approvals ?? []).map(toApproval),
    forkedFrom: toForkOrigin(w.forked_from),
    forks: (w.forks ?? []).map(toForkSummary),
    review: {
      reviewStatus: w.review_status ?? null,
      assignee: w.assignee ?? null,
      qualityRating: w.quality_rating ?? null,
      reviewedAt: toDate(w.reviewed_at ?? null),
      reviewedBy: w.reviewed_by ?? null,
    },
    reviewEvents: (w.review_events ?? []).map(toReviewEvent),
    score: w.score ? toSessionScore(w.score) : null,
  };
}

/** One scoring run of an ended session (docs/scoring.md). */
export interface SessionScore {
  id: string;
  status: "scoring" | "completed" | "failed";
  score: number | null;
  outcome: "correct" | "partial" | "wrong" | null;
  analysis: string | null;
  failureTags: string[];
  toolReport: string | null;
  error: string | null;
  requestedBy: string;
  scoredAt: Date | null;
}

export function toSessionScore(w: ScoreWire): SessionScore {
  return {
    id: w.id,
    status: w.status,
    score: w.score ?? null,
    outcome: w.outcome ?? null,
    analysis: w.analysis ?? null,
    failureTags: w.failure_tags ?? [],
    toolReport: w.tool_report ?? null,
    error: w.error ?? null,
    requestedBy: w.requested_by,
    scoredAt: toDate(w.scored_at),
  };
}

/** Start a new scoring run (202); 409 while one runs or before the session ended. */
export function rescoreSession(id: string): Promise<SessionScore> {
  return request(`${BASE}/${encodeURIComponent(id)}/score`, (raw) => toSessionScore(raw as ScoreWire), {
    method: "POST",
  });
}

function tokens(w: TokensWire): TokenCounts {
  return { inputTokens: w.input, outputTokens: w.output, totalTokens: w.total };
}

export function toSessionStats(raw: unknown): SessionStats {
  const w = raw as SessionStatsWire;
  return {
    ...tokens(w.tokens),
    durationMs: w.durations.run_ms,
    stages: w.stages.map((stage) => ({
      ...tokens(stage.tokens),
      stageId: stage.stage_id,
      name: stage.name,
      durationMs: stage.duration_ms,
      agents: stage.agents.map((agent) => ({
        ...tokens(agent.tokens),
        executionId: agent.execution_id,
        agentName: agent.agent_name,
        durationMs: agent.duration_ms,
      })),
    })),
  };
}

/**
 * Fold a REST snapshot of a session into the cached one (TanStack's `structuralSharing` hook). A
 * snapshot requested before a stream event arrived must not undo it: statuses only move forward,
 * and stages or executions the stream added stay until REST knows them too.
 */
export function mergeDetailSnapshot(previous: SessionDetail | undefined, next: SessionDetail): SessionDetail {
  if (!previous || previous.id !== next.id) return next;
  const oldStages = new Map(previous.stages.map((s) => [s.id, s]));
  const stages = next.stages.map((fresh) => {
    const old = oldStages.get(fresh.id);
    if (!old) return fresh;
    const oldExecs = new Map(old.executions.map((e) => [e.id, e]));
    const executions = fresh.executions.map((e) => {
      const o = oldExecs.get(e.id);
      return o ? { ...e, status: laterRecordStatus(o.status, e.status) } : e;
    });
    for (const o of old.executions) if (!executions.some((e) => e.id === o.id)) executions.push(o);
    return { ...fresh, status: laterRecordStatus(old.status, fresh.status), executions };
  });
  for (const old of previous.stages) if (!stages.some((s) => s.id === old.id)) stages.push(old);
  stages.sort((a, b) => a.stageIndex - b.stageIndex);
  return {
    ...next,
    status: laterSessionStatus(previous.status, next.status),
    finalAnalysis: next.finalAnalysis ?? previous.finalAnalysis,
    executiveSummary: next.executiveSummary ?? previous.executiveSummary,
    stages,
    approvals: mergeApprovals(previous.approvals, next.approvals),
  };
}

// ---------------------------------------------------------------- query keys

export const sessionKeys = {
  session: (id: string) => ["session", id] as const,
  detail: (id: string) => ["session", id, "detail"] as const,
  stats: (id: string) => ["session", id, "summary"] as const,
};

// ---------------------------------------------------------------- fetch functions

const BASE = `${API_PREFIX}/sessions`;

export function fetchSessionDetail(id: string, signal?: AbortSignal): Promise<SessionDetail> {
  return request(`${BASE}/${encodeURIComponent(id)}`, toSessionDetail, { signal });
}

export function fetchSessionStats(id: string, signal?: AbortSignal): Promise<SessionStats> {
  return request(`${BASE}/${encodeURIComponent(id)}/summary`, toSessionStats, { signal });
}

export interface CancelResult {
  sessionId: string;
  status: SessionStatus;
}

export function cancelSession(id: string): Promise<CancelResult> {
  return request(
    `${BASE}/${encodeURIComponent(id)}/cancel`,
    (raw) => {
      const w = raw as CancelWire;
      return { sessionId: w.session_id, status: toSessionStatus(w.status) };
    },
    { method: "POST" },
  );
}

/** The session's own SSE stream. */
export function sessionEventsUrl(id: string): string {
  return `${BASE}/${encodeURIComponent(id)}/events`;
}
