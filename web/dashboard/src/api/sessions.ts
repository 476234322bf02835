/** The session collection: the paged history, the live active/queued view, filter options. */

import { toDate } from "./convert";
import { API_PREFIX, request } from "./http";
import { type SessionStatus, toSessionStatus } from "./status";
import type { Schemas } from "./wire";

type ReviewStatus = NonNullable<Schemas["SessionSummary"]["review_status"]>;
type QualityRating = NonNullable<Schemas["SessionSummary"]["quality_rating"]>;

// ---------------------------------------------------------------- wire types (generated from the API)

export type SessionSummaryWire = Schemas["SessionSummary"] | Schemas["QueuedSession"];
export type SessionListWire = Schemas["SessionPage"];
export type ActiveSessionsWire = Schemas["ActiveSessions"];
export type FilterOptionsWire = Schemas["FilterOptions"];

// ---------------------------------------------------------------- app types

export interface SessionSummary {
  id: string;
  alertType: string;
  chainId: string;
  status: SessionStatus;
  author: string;
  createdAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  durationMs: number | null;
  executiveSummary: string | null;
  errorMessage: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  /** Estimated US dollars of the priced model calls; null when none could be priced. */
  costUsd: number | null;
  costEstimated: boolean;
  unpricedCalls: number;
  stageCount: number | null;
  /** The session this one was forked from (null: not a fork). */
  forkedFrom: string | null;
  matchedInTimeline: boolean;
  queuePosition: number | null;
  /** Triage (docs/review.md): null while the session runs. */
  reviewStatus: ReviewStatus | null;
  assignee: string | null;
  qualityRating: QualityRating | null;
  reviewedAt: Date | null;
  /** The latest completed score, 0-100 (null: never scored). */
  score: number | null;
}

export interface SessionPage {
  items: SessionSummary[];
  total: number;
  page: number;
  pageSize: number;
}

export interface ActiveSessions {
  active: SessionSummary[];
  queued: SessionSummary[];
}

export interface FilterOptions {
  statuses: string[];
  alertTypes: string[];
  chains: string[];
  authors: string[];
}

// ---------------------------------------------------------------- converters

export function toSessionSummary(w: SessionSummaryWire): SessionSummary {
  return {
    id: w.id,
    alertType: w.alert_type,
    chainId: w.chain_id,
    status: toSessionStatus(w.status),
    author: w.author,
    createdAt: toDate(w.created_at),
    startedAt: toDate(w.started_at),
    completedAt: toDate(w.completed_at),
    durationMs: w.duration_ms,
    executiveSummary: w.executive_summary,
    errorMessage: w.error_message,
    inputTokens: w.input_tokens,
    outputTokens: w.output_tokens,
    totalTokens: w.total_tokens,
    costUsd: w.cost_usd ?? null,
    costEstimated: w.cost_estimated ?? false,
    unpricedCalls: w.unpriced_calls ?? 0,
    stageCount: w.stage_count,
    forkedFrom: w.forked_from ?? null,
    matchedInTimeline: w.matched_in_timeline,
    queuePosition: "queue_position" in w ? w.queue_position : null,
    reviewStatus: w.review_status ?? null,
    assignee: w.assignee ?? null,
    qualityRating: w.quality_rating ?? null,
    reviewedAt: toDate(w.reviewed_at ?? null),
    score: w.score ?? null,
  };
}

export function toSessionPage(raw: unknown): SessionPage {
  const w = raw as SessionListWire;
  return { items: w.items.map(toSessionSummary), total: w.total, page: w.page, pageSize: w.page_size };
}

export function toActiveSessions(raw: unknown): ActiveSessions {
  const w = raw as ActiveSessionsWire;
  return { active: w.active.map(toSessionSummary), queued: w.queued.map(toSessionSummary) };
}

export function toFilterOptions(raw: unknown): FilterOptions {
  const w = raw as FilterOptionsWire;
  return { statuses: w.statuses, alertTypes: w.alert_types, chains: w.chains, authors: w.authors };
}

// ---------------------------------------------------------------- list parameters

export const SORT_FIELDS = ["created_at", "status", "alert_type", "author", "duration", "score"] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortOrder = "asc" | "desc";

export interface SessionListParams {
  page: number;
  pageSize: number;
  sortBy: SortField;
  sortOrder: SortOrder;
  status: string[];
  alertType: string;
  chainId: string;
  author: string;
  startDate: string;
  endDate: string;
  search: string;
}

export const DEFAULT_LIST_PARAMS: SessionListParams = {
  page: 1,
  pageSize: 25,
  sortBy: "created_at",
  sortOrder: "desc",
  status: [],
  alertType: "",
  chainId: "",
  author: "",
  startDate: "",
  endDate: "",
  search: "",
};

// ---------------------------------------------------------------- query keys

export const sessionListKeys = {
  all: ["sessions"] as const,
  lists: () => ["sessions", "list"] as const,
  list: (params: SessionListParams) => ["sessions", "list", params] as const,
  active: () => ["sessions", "active"] as const,
  filterOptions: () => ["sessions", "filter-options"] as const,
};

// ---------------------------------------------------------------- fetch functions

const BASE = `${API_PREFIX}/sessions`;

/** The API takes date-times; a bare date from the form means that whole day, in local time. */
export function dayBoundary(value: string, edge: "start" | "end"): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const local = new Date(`${value}T${edge === "start" ? "00:00:00.000" : "23:59:59.999"}`);
  return Number.isNaN(local.getTime()) ? "" : local.toISOString();
}

/** Full-text search needs at least 3 characters with a letter or digit; shorter input is not sent. */
export const MIN_SEARCH_LENGTH = 3;

export function usableSearch(value: string): string {
  const text = value.trim();
  return text.length >= MIN_SEARCH_LENGTH && /[\p{L}\p{N}]/u.test(text) ? text : "";
}

export function fetchSessionPage(params: SessionListParams, signal?: AbortSignal): Promise<SessionPage> {
  return request(BASE, toSessionPage, {
    signal,
    query: {
      page: params.page,
      page_size: params.pageSize,
      sort_by: params.sortBy,
      sort_order: params.sortOrder,
      status: params.status,
      alert_type: params.alertType,
      chain_id: params.chainId,
      author: params.author,
      start_date: dayBoundary(params.startDate, "start"),
      end_date: dayBoundary(params.endDate, "end"),
      search: usableSearch(params.search),
    },
  });
}

export function fetchActiveSessions(signal?: AbortSignal): Promise<ActiveSessions> {
  return request(`${BASE}/active`, toActiveSessions, { signal });
}

export function fetchFilterOptions(signal?: AbortSignal): Promise<FilterOptions> {
  return request(`${BASE}/filter-options`, toFilterOptions, { signal });
}

/** The list-view SSE stream (session.status events of every session). */
export const SESSIONS_EVENTS_URL = `${BASE}/events`;
