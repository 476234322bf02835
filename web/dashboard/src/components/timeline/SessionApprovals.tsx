/** The session's approvals as the page knows them (REST + stream), for the cards in the timeline. */

import { createContext, useContext } from "react";
import type { Approval } from "../../api/approvals";

export interface SessionApprovalsValue {
  approvals: readonly Approval[];
  /** Fetch the session again (after a 409: somebody else decided first). */
  refresh: () => Promise<unknown>;
}

const NONE: SessionApprovalsValue = { approvals: [], refresh: () => Promise.resolve() };

export const SessionApprovals = createContext<SessionApprovalsValue>(NONE);

export function useKnownApproval(id: string): Approval | null {
  return useContext(SessionApprovals).approvals.find((a) => a.id === id) ?? null;
}
