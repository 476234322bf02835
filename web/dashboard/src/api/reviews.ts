/** Triage and review (docs/review.md): the triage lists, the review action on many sessions, and
 * the review state and audit log a session carries. */

import { toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import { type SessionPage, toSessionPage } from "./sessions";
import type { Schemas } from "./wire";

// ---------------------------------------------------------------- wire types (generated from the API)

export type ReviewRequestWire = Schemas["ReviewRequest"];
export type ReviewResponseWire = Schemas["ReviewResponse"];
export type ReviewEventWire = Schemas["ReviewEventOut"];

// ---------------------------------------------------------------- app types

export const TRIAGE_GROUPS = ["needs_review", "in_progress", "mine", "reviewed"] as const;
export type TriageGroup = (typeof TRIAGE_GROUPS)[number];
export type ReviewStatus = NonNullable<Schemas["SessionSummary"]["review_status"]>;
export type QualityRating = NonNullable<ReviewRequestWire["quality_rating"]>;
export type ReviewAction = ReviewRequestWire["action"];

export const QUALITY_RATINGS: readonly QualityRating[] = ["accurate", "partially_accurate", "inaccurate"];

export const GROUP_LABELS: Record<TriageGroup, string> = {
  needs_review: "Needs review",
  in_progress: "In review",
  mine: "Mine",
  reviewed: "Reviewed",
};

export const STATUS_LABELS: Record<ReviewStatus, string> = {
  needs_review: "Needs review",
  in_progress: "In review",
  reviewed: "Reviewed",
};

export const RATING_LABELS: Record<QualityRating, string> = {
  accurate: "Accurate",
  partially_accurate: "Partially accurate",
  inaccurate: "Inaccurate",
};

/** Where a session stands in triage; `reviewStatus` null while it runs. */
export interface ReviewState {
  reviewStatus: ReviewStatus | null;
  assignee: string | null;
  qualityRating: QualityRating | null;
  reviewedAt: Date | null;
  reviewedBy: string | null;
}

export interface ReviewEvent {
  id: number;
  action: ReviewAction;
  actor: string;
  at: Date | null;
  fromStatus: ReviewStatus | null;
  toStatus: ReviewStatus | null;
  assignee: string | null;
  qualityRating: QualityRating | null;
  comment: string | null;
}

export interface ReviewCommand {
  sessionIds: string[];
  action: ReviewAction;
  qualityRating?: QualityRating;
  comment?: string;
  assignee?: string;
}

export interface ReviewResult {
  sessionId: string;
  ok: boolean;
  error: string | null;
}

export interface ReviewOutcome {
  results: ReviewResult[];
  applied: number;
  failed: number;
}

// ---------------------------------------------------------------- converters

export function toReviewEvent(w: ReviewEventWire): ReviewEvent {
  return {
    id: w.id,
    action: w.action,
    actor: w.actor,
    at: toDate(w.at),
    fromStatus: w.from_status ?? null,
    toStatus: w.to_status ?? null,
    assignee: w.assignee ?? null,
    qualityRating: w.quality_rating ?? null,
    comment: w.comment ?? null,
  };
}

export function toReviewOutcome(raw: unknown): ReviewOutcome {
  const w = raw as ReviewResponseWire;
  return {
    results: w.results.map((r) => ({ sessionId: r.session_id, ok: r.ok, error: r.error?.message ?? null })),
    applied: w.applied,
    failed: w.failed,
  };
}

export function toReviewBody(command: ReviewCommand): ReviewRequestWire {
  const body: ReviewRequestWire = { session_ids: command.sessionIds, action: command.action };
  if (command.qualityRating !== undefined) body.quality_rating = command.qualityRating;
  if (command.comment !== undefined && command.comment.trim() !== "") body.comment = command.comment;
  if (command.assignee !== undefined) body.assignee = command.assignee;
  return body;
}

// ---------------------------------------------------------------- query keys

export const triageKeys = {
  all: ["triage"] as const,
  group: (group: TriageGroup, page: number, pageSize: number) => ["triage", group, page, pageSize] as const,
};

// ---------------------------------------------------------------- fetch functions

const BASE = `${API_PREFIX}/sessions`;

export function fetchTriagePage(
  group: TriageGroup,
  page: number,
  pageSize: number,
  signal?: AbortSignal,
): Promise<SessionPage> {
  return request(`${BASE}/triage/${group}`, toSessionPage, { signal, query: { page, page_size: pageSize } });
}

export function submitReview(command: ReviewCommand): Promise<ReviewOutcome> {
  return request(`${BASE}/review`, toReviewOutcome, { method: "PATCH", body: toReviewBody(command) });
}
