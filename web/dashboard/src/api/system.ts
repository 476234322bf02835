/** System: warnings, MCP server health and tools, skills, queue figures, and /health. */

import { asNumber, asOptionalNumber, asRecord, toDate } from "./convert";
import { API_PREFIX, request, withIdentity } from "./http";
import type { Schemas } from "./wire";

export interface SystemWarning {
  id: string;
  category: string;
  message: string;
  server: string | null;
  createdAt: Date | null;
}

export interface McpTool {
  name: string;
  description: string;
}

export interface McpServerHealth {
  id: string;
  status: string;
  lastError: string | null;
  lastChecked: Date | null;
  tools: McpTool[];
}

export interface Skill {
  name: string;
  description: string;
  source: string;
  sizeBytes: number;
  usedBy: string[];
  requiredBy: string[];
  body: string;
}

export interface QueueFigures {
  pending: number;
  active: number;
  workersTotal: number | null;
  workersBusy: number | null;
  oldestPendingS: number;
}

export interface Health {
  status: string;
  mode: "demo" | "live";
  checks: Record<string, unknown>;
}

// ---------------------------------------------------------------- wire types (generated from the API)

type WarningWire = Schemas["WarningOut"];
type McpServerWire = Schemas["McpServerOut"];
type QueueWire = Schemas["QueueFigures"];
type SkillWire = Schemas["SkillOut"];
type HealthWire = Schemas["HealthResponse"];

export function toWarnings(raw: unknown): SystemWarning[] {
  return (raw as WarningWire[]).map((w) => ({
    id: w.id,
    category: w.category,
    message: w.message,
    server: w.server,
    createdAt: toDate(w.created_at),
  }));
}

export function toMcpServers(raw: unknown): McpServerHealth[] {
  return (raw as McpServerWire[]).map((w) => ({
    id: w.id,
    status: w.status,
    lastError: w.last_error || null,
    lastChecked: toDate(w.last_checked),
    tools: w.tools.map((t) => ({ name: t.name, description: t.description })),
  }));
}

export function toSkills(raw: unknown): Skill[] {
  return (raw as SkillWire[]).map((w) => ({
    name: w.name,
    description: w.description,
    source: w.source,
    sizeBytes: w.size_bytes,
    usedBy: w.used_by,
    requiredBy: w.required_by,
    body: w.body,
  }));
}

export function toQueueFigures(raw: unknown): QueueFigures {
  const w = raw as QueueWire;
  return {
    pending: w.pending,
    active: w.active,
    workersTotal: w.workers_total,
    workersBusy: w.workers_busy,
    oldestPendingS: w.oldest_pending_s,
  };
}

export function toHealth(raw: unknown): Health {
  const w = raw as HealthWire;
  return { status: w.status, mode: w.mode, checks: w.checks };
}

export const systemKeys = {
  warnings: () => ["system", "warnings"] as const,
  mcpServers: () => ["system", "mcp-servers"] as const,
  queue: () => ["system", "queue"] as const,
  skills: () => ["system", "skills"] as const,
  health: () => ["system", "health"] as const,
};

export function fetchWarnings(signal?: AbortSignal): Promise<SystemWarning[]> {
  return request(`${API_PREFIX}/system/warnings`, toWarnings, { signal });
}

export function fetchMcpServers(signal?: AbortSignal): Promise<McpServerHealth[]> {
  return request(`${API_PREFIX}/system/mcp-servers`, toMcpServers, { signal });
}

export function fetchSkills(signal?: AbortSignal): Promise<Skill[]> {
  return request(`${API_PREFIX}/system/skills`, toSkills, { signal });
}

export function fetchQueue(signal?: AbortSignal): Promise<QueueFigures> {
  return request(`${API_PREFIX}/system/queue`, toQueueFigures, { signal });
}

/** /health answers 503 with the same body when unhealthy; that is still an answer. */
export async function fetchHealth(signal?: AbortSignal): Promise<Health> {
  const res = await fetch("/health", { signal, headers: withIdentity({ Accept: "application/json" }) });
  if (res.status !== 200 && res.status !== 503) throw new Error(`/health: HTTP ${res.status}`);
  return toHealth(await res.json());
}

/** Queue figures from /health, for servers without /system/queue yet. */
export function queueFromHealth(health: Health): QueueFigures {
  const queue = asRecord(health.checks.queue);
  const workers = asRecord(health.checks.workers);
  return {
    pending: asNumber(queue.pending),
    active: asNumber(queue.active),
    workersTotal: asOptionalNumber(workers.count),
    workersBusy: asOptionalNumber(workers.busy),
    oldestPendingS: asNumber(queue.oldest_pending_s),
  };
}
