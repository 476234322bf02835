/** System: warnings, MCP server health and tools, queue figures, and /health. */

import { asArray, asNumber, asOptionalNumber, asRecord, asString, toDate } from "./convert";
import { API_PREFIX, request, withIdentity } from "./http";

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

export function toWarnings(raw: unknown): SystemWarning[] {
  // Accept both a bare list and {warnings: [...]}.
  const list = Array.isArray(raw) ? raw : asArray<unknown>(asRecord(raw).warnings);
  return list.map((x) => {
    const w = asRecord(x);
    return {
      id: asString(w.id ?? w.warning_id),
      category: asString(w.category),
      message: asString(w.message),
      server: w.server == null ? null : asString(w.server),
      createdAt: toDate(asString(w.created_at) || null),
    };
  });
}

export function toMcpServers(raw: unknown): McpServerHealth[] {
  const list = Array.isArray(raw) ? raw : asArray<unknown>(asRecord(raw).servers);
  return list.map((x) => {
    const w = asRecord(x);
    return {
      id: asString(w.id ?? w.name),
      status: asString(w.status, "unknown"),
      lastError: w.last_error == null || w.last_error === "" ? null : asString(w.last_error),
      lastChecked: toDate(asString(w.last_checked) || null),
      tools: asArray<unknown>(w.tools).map((t) => {
        const tool = asRecord(t);
        return { name: asString(tool.name ?? t), description: asString(tool.description) };
      }),
    };
  });
}

export function toQueueFigures(raw: unknown): QueueFigures {
  const w = asRecord(raw);
  return {
    pending: asNumber(w.pending),
    active: asNumber(w.active),
    workersTotal: asOptionalNumber(w.workers_total),
    workersBusy: asOptionalNumber(w.workers_busy),
    oldestPendingS: asNumber(w.oldest_pending_s),
  };
}

export function toHealth(raw: unknown): Health {
  const w = asRecord(raw);
  return {
    status: asString(w.status, "unknown"),
    mode: w.mode === "live" ? "live" : "demo",
    checks: asRecord(w.checks),
  };
}

export const systemKeys = {
  warnings: () => ["system", "warnings"] as const,
  mcpServers: () => ["system", "mcp-servers"] as const,
  queue: () => ["system", "queue"] as const,
  health: () => ["system", "health"] as const,
};

export function fetchWarnings(signal?: AbortSignal): Promise<SystemWarning[]> {
  return request(`${API_PREFIX}/system/warnings`, toWarnings, { signal });
}

export function fetchMcpServers(signal?: AbortSignal): Promise<McpServerHealth[]> {
  return request(`${API_PREFIX}/system/mcp-servers`, toMcpServers, { signal });
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
