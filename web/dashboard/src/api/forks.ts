/** Forks: a session's resume points (checkpoints), forking from one, and the fork relations of a session. */

import { asRecord } from "./convert";
import { toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import { type SessionStatus, toSessionStatus } from "./status";
import type { Schemas } from "./wire";

// ---------------------------------------------------------------- wire types (generated from the API)

export type CheckpointWire = Schemas["CheckpointOut"];
export type ForkAcceptedWire = Schemas["ForkAccepted"];
export type ForkOriginWire = Schemas["ForkOrigin"];
export type ForkSummaryWire = Schemas["ForkSummary"];

// ---------------------------------------------------------------- app types

export interface Checkpoint {
  id: string;
  kind: "stage_boundary" | "agent_iteration";
  stageIndex: number;
  stageName: string;
  stageType: string;
  at: Date | null;
  agentName: string | null;
  agentIndex: number | null;
  iteration: number | null;
  stagesCompleted: string[];
  modelCalls: number;
  toolCalls: number;
  lastReply: string | null;
  lastToolCalls: string[];
}

export interface ForkOrigin {
  sessionId: string;
  checkpointId: string;
  llmProvider: string | null;
  instructions: string | null;
}

export interface ForkSummary {
  sessionId: string;
  status: SessionStatus;
  checkpointId: string;
  llmProvider: string | null;
  author: string;
  createdAt: Date | null;
}

export interface ForkInput {
  checkpointId: string;
  llmProvider: string | null;
  instructions: string | null;
}

// ---------------------------------------------------------------- converters

export function toCheckpoint(w: CheckpointWire): Checkpoint {
  return {
    id: w.id,
    kind: w.kind,
    stageIndex: w.stage_index,
    stageName: w.stage_name,
    stageType: w.stage_type,
    at: toDate(w.at),
    agentName: w.agent_name ?? null,
    agentIndex: w.agent_index ?? null,
    iteration: w.iteration ?? null,
    stagesCompleted: w.stages_completed,
    modelCalls: w.model_calls,
    toolCalls: w.tool_calls,
    lastReply: w.last_reply ?? null,
    lastToolCalls: w.last_tool_calls ?? [],
  };
}

export function toForkOrigin(w: ForkOriginWire | null | undefined): ForkOrigin | null {
  if (!w) return null;
  return {
    sessionId: w.session_id,
    checkpointId: w.checkpoint_id,
    llmProvider: w.llm_provider ?? null,
    instructions: w.instructions ?? null,
  };
}

export function toForkSummary(w: ForkSummaryWire): ForkSummary {
  return {
    sessionId: w.session_id,
    status: toSessionStatus(w.status),
    checkpointId: w.checkpoint_id,
    llmProvider: w.llm_provider ?? null,
    author: w.author,
    createdAt: toDate(w.created_at),
  };
}

/** The names of the configured model providers, from `GET /api/v1/system/config`'s (redacted) config. */
export function providerNames(config: Record<string, unknown>): string[] {
  return Object.keys(asRecord(config.llm_providers)).sort();
}

/** The checkpoints a fork of `stageIndex` can start from: its boundary, then its agents' calls. */
export function checkpointsOfStage(all: readonly Checkpoint[], stageIndex: number): Checkpoint[] {
  return all.filter((c) => c.stageIndex === stageIndex);
}

export function describeCheckpoint(c: Checkpoint): string {
  if (c.kind === "stage_boundary") {
    return c.stagesCompleted.length
      ? `Before “${c.stageName}” (reuses ${c.stagesCompleted.length} stage${c.stagesCompleted.length === 1 ? "" : "s"})`
      : `Before “${c.stageName}” (start over)`;
  }
  const tools = c.lastToolCalls.length ? ` → ${c.lastToolCalls.join(", ")}` : "";
  return `${c.agentName ?? "agent"}, after call ${c.iteration ?? 0}${tools}`;
}

// ---------------------------------------------------------------- query keys

export const forkKeys = {
  checkpoints: (id: string) => ["session", id, "checkpoints"] as const,
};

// ---------------------------------------------------------------- fetch functions

const BASE = `${API_PREFIX}/sessions`;

export function fetchCheckpoints(id: string, signal?: AbortSignal): Promise<Checkpoint[]> {
  return request(
    `${BASE}/${encodeURIComponent(id)}/checkpoints`,
    (raw) => (raw as CheckpointWire[]).map(toCheckpoint),
    { signal },
  );
}

export function forkSession(id: string, input: ForkInput): Promise<string> {
  return request(`${BASE}/${encodeURIComponent(id)}/fork`, (raw) => (raw as ForkAcceptedWire).session_id, {
    method: "POST",
    body: {
      checkpoint_id: input.checkpointId,
      llm_provider: input.llmProvider,
      instructions: input.instructions,
    },
  });
}
