/** Status vocabularies of sessions, stages, executions and timeline events, and their predicates. */

export const SESSION_STATUSES = [
  "pending",
  "in_progress",
  "cancelling",
  "awaiting_approval",
  "completed",
  "failed",
  "cancelled",
  "timed_out",
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "cancelled", "timed_out"]);

/** Stage and execution rows: `active` while running. SSE says `started` for a stage; we store `active`. */
export type RecordStatus = "pending" | "active" | "completed" | "failed" | "cancelled" | "timed_out";

export type TimelineStatus = "streaming" | "completed" | "failed" | "cancelled" | "timed_out";

export function isTerminal(status: string | null | undefined): boolean {
  return status != null && TERMINAL_STATUSES.has(status);
}

export function toSessionStatus(value: unknown): SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value as string) ? (value as SessionStatus) : "pending";
}

export function toRecordStatus(value: unknown): RecordStatus {
  switch (value) {
    case "started":
    case "active":
    case "in_progress":
      return "active";
    case "completed":
    case "failed":
    case "cancelled":
    case "timed_out":
      return value;
    default:
      return "pending";
  }
}

export function toTimelineStatus(value: unknown): TimelineStatus {
  switch (value) {
    case "completed":
    case "failed":
    case "cancelled":
    case "timed_out":
      return value;
    default:
      return "streaming";
  }
}

/** Rank used to keep statuses from moving backwards when a replayed event is older than REST data. */
const SESSION_RANK: Record<SessionStatus, number> = {
  pending: 0,
  in_progress: 1,
  cancelling: 2,
  awaiting_approval: 1, // alternates with in_progress while a session waits for people and resumes
  completed: 3,
  failed: 3,
  cancelled: 3,
  timed_out: 3,
};

/**
 * The status to show after `incoming`. `resumed` marks a `pending` that follows a decision (the
 * session is queued to resume): it replaces `awaiting_approval` although it ranks lower.
 */
export function laterSessionStatus(current: SessionStatus, incoming: SessionStatus, resumed = false): SessionStatus {
  if (resumed && incoming === "pending" && current === "awaiting_approval") return incoming;
  return SESSION_RANK[incoming] >= SESSION_RANK[current] ? incoming : current;
}

const RECORD_RANK: Record<RecordStatus, number> = {
  pending: 0,
  active: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
  timed_out: 2,
};

export function laterRecordStatus(current: RecordStatus, incoming: RecordStatus): RecordStatus {
  return RECORD_RANK[incoming] >= RECORD_RANK[current] ? incoming : current;
}

export function statusLabel(status: string): string {
  return status.replace(/_/g, " ");
}
