/** Tool calls that wait for a person: reading them from timeline metadata, and deciding them. */

import { asRecord, asString } from "./convert";
import { API_PREFIX, request } from "./http";
import type { Schemas } from "./wire";

/** The generated wire type (docs/dashboard.md "Wire types"); timeline metadata is read tolerantly below. */
export type ApprovalStatus = Schemas["ApprovalOut"]["status"];

export interface Approval {
  id: string;
  status: ApprovalStatus;
  tool: string;
  arguments: unknown;
  agent: string;
  reason: string;
  expiresAt: string;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
}

export function toApproval(raw: unknown): Approval {
  const w = asRecord(raw);
  return {
    id: asString(w.id),
    status: (asString(w.status, "pending") as ApprovalStatus) ?? "pending",
    tool: asString(w.tool),
    arguments: w.arguments ?? {},
    agent: asString(w.agent),
    reason: asString(w.reason),
    expiresAt: asString(w.expires_at),
    requestedAt: asString(w.requested_at),
    decidedAt: w.decided_at == null ? null : asString(w.decided_at),
    decidedBy: w.decided_by == null ? null : asString(w.decided_by),
    comment: w.comment == null ? null : asString(w.comment),
  };
}

export function isDecided(approval: Approval): boolean {
  return approval.status !== "pending";
}

/**
 * Fold approvals (a REST snapshot or stream events) into the known ones, by id. A decision is
 * final: a stale snapshot or a replayed `approval.requested` never turns it back into pending.
 */
export function mergeApprovals(known: readonly Approval[], incoming: readonly Approval[]): Approval[] {
  const out = known.slice();
  for (const next of incoming) {
    const i = out.findIndex((a) => a.id === next.id);
    const current = i >= 0 ? out[i] : undefined;
    if (!current) out.push(next);
    else if (!isDecided(current) || isDecided(next)) out[i] = next;
  }
  return out;
}

/** How a decided approval is shown: "approved by alice", "expired", ... */
export function decisionText(approval: Approval): string {
  const by = approval.decidedBy ? ` by ${approval.decidedBy}` : "";
  return `${approval.status}${by}`;
}

export function decideApproval(
  sessionId: string,
  approvalId: string,
  decision: "approve" | "reject",
  comment: string,
): Promise<Approval> {
  return request(
    `${API_PREFIX}/sessions/${encodeURIComponent(sessionId)}/approvals/${encodeURIComponent(approvalId)}`,
    (raw) => toApproval(asRecord(raw).approval),
    { method: "POST", body: { decision, comment: comment.trim() || null } },
  );
}
