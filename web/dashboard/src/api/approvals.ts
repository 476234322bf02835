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
    decidedBy: w.decided_by == null ? null : asString(w.decided_by),
    comment: w.comment == null ? null : asString(w.comment),
  };
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
