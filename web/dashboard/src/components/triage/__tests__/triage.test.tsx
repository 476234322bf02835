import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, renderHook, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ReviewEvent, triageKeys } from "../../../api/reviews";
import type { Schemas } from "../../../api/wire";
import { LiveProvider } from "../../../live/LiveContext";
import type { SseMessage, SseTransport } from "../../../live/sse";
import { useSessionsListStream } from "../../../live/useSessionsListStream";
import { TriageRoute } from "../../../routes/TriageRoute";
import { ReviewPanel } from "../../session/ReviewPanel";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

function summary(id: string, overrides: Partial<Schemas["SessionSummary"]> = {}): Schemas["SessionSummary"] {
  return {
    id,
    alert_type: `alert-${id.slice(-1)}`,
    chain_id: "kubernetes",
    status: "completed",
    author: "otto",
    created_at: "2026-01-01T00:00:00Z",
    started_at: "2026-01-01T00:00:01Z",
    completed_at: "2026-01-01T00:00:09Z",
    duration_ms: 8000,
    executive_summary: null,
    error_message: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cost_usd: null,
    cost_estimated: false,
    unpriced_calls: 0,
    stage_count: 1,
    matched_in_timeline: false,
    review_status: "needs_review",
    assignee: null,
    quality_rating: null,
    reviewed_at: null,
    ...overrides,
  };
}

/** A list stream that stays open: with `messages`, it sends them first. */
function openTransport(messages: SseMessage[] = []): SseTransport {
  return async (_url, _headers, signal) => ({
    status: 200,
    messages: (async function* (): AsyncGenerator<SseMessage> {
      yield* messages;
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    })(),
  });
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

interface Call {
  method: string;
  url: string;
  body: unknown;
}

/** The API: a triage page per group and the review endpoint refusing session B. */
function stubApi(calls: Call[]) {
  const pages: Record<string, Schemas["SessionSummary"][]> = {
    needs_review: [summary(A), summary(B)],
    reviewed: [summary(A, { review_status: "reviewed", assignee: "ada", quality_rating: "accurate" })],
  };
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : null });
    if (method === "PATCH") {
      const ids = (JSON.parse(String(init?.body)) as { session_ids: string[] }).session_ids;
      const results = ids.map((id) => ({
        session_id: id,
        ok: id !== B,
        review_status: "in_progress",
        assignee: id === B ? "ada" : "otto",
        quality_rating: null,
        reviewed_at: null,
        error: id === B ? { code: "conflict", message: "the session is claimed by ada; unclaim it first" } : null,
      }));
      const applied = results.filter((r) => r.ok).length;
      return json({ results, applied, failed: results.length - applied });
    }
    const group = new URL(url, "http://x").pathname.split("/").pop() ?? "";
    const items = pages[group] ?? [];
    return json({ items, total: items.length, page: 1, page_size: 25 });
  });
}

function renderTriage(path = "/triage") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <LiveProvider transport={openTransport()} flushEveryMs={0}>
        <MemoryRouter initialEntries={[path]}>
          <TriageRoute />
        </MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("TriageRoute", () => {
  it("claims the selected sessions in one request and reports the ones refused", async () => {
    const user = userEvent.setup();
    const calls: Call[] = [];
    stubApi(calls);
    renderTriage();
    expect(await screen.findAllByTestId("triage-row")).toHaveLength(2);
    expect(calls[0]?.url).toContain("/api/v1/sessions/triage/needs_review?page=1&page_size=25");
    const claim = screen.getByRole("button", { name: "Claim" });
    expect(claim).toBeDisabled();
    await user.click(screen.getByRole("checkbox", { name: "select all" }));
    expect(screen.getByText("2 selected")).toBeInTheDocument();
    await user.click(claim);
    const status = await screen.findByRole("status");
    expect(status).toHaveTextContent("1 updated, 1 refused: the session is claimed by ada; unclaim it first");
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch?.url).toBe("/api/v1/sessions/review");
    expect(patch?.body).toEqual({ session_ids: [A, B], action: "claim" });
    expect(screen.getByText("0 selected")).toBeInTheDocument();
  });

  it("completes only with a rating and sends the comment", async () => {
    const user = userEvent.setup();
    const calls: Call[] = [];
    stubApi(calls);
    renderTriage();
    await user.click(await screen.findByRole("checkbox", { name: `select alert-a ${A}` }));
    const complete = screen.getByRole("button", { name: "Complete" });
    expect(complete).toBeDisabled();
    await user.click(screen.getByRole("combobox", { name: "Rating" }));
    await user.click(await screen.findByRole("option", { name: "Partially accurate" }));
    await user.type(screen.getByRole("textbox", { name: "Comment (optional)" }), "missed the node");
    await user.click(complete);
    await screen.findByRole("status");
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({
      session_ids: [A],
      action: "complete",
      quality_rating: "partially_accurate",
      comment: "missed the node",
    });
  });

  it("shows each group in its tab with assignee, rating and the group's actions", async () => {
    const user = userEvent.setup();
    const calls: Call[] = [];
    stubApi(calls);
    renderTriage("/triage?group=reviewed");
    const row = await screen.findByTestId("triage-row");
    expect(within(row).getByTestId("assignee")).toHaveTextContent("ada");
    expect(within(row).getByText("Accurate")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reopen" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Claim" })).toBeNull();
    await user.click(screen.getByRole("tab", { name: "Mine" }));
    expect(await screen.findByText("Nothing here.")).toBeInTheDocument();
    expect(calls.some((c) => c.url.includes("/triage/mine"))).toBe(true);
    expect(screen.getByRole("button", { name: "Unclaim" })).toBeInTheDocument();
  });
});

describe("review on the list stream and the session page", () => {
  it("a session.review_updated event refetches the triage pages", async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    const key = triageKeys.group("needs_review", 1, 25);
    client.setQueryData(key, { items: [], total: 0, page: 1, pageSize: 25 });
    const event = { type: "session.review_updated", session_id: A, action: "claim", actor: "otto" };
    const transport = openTransport([{ id: 7, event: "session.review_updated", data: JSON.stringify(event) }]);
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>
        <LiveProvider transport={transport} flushEveryMs={0}>
          {children}
        </LiveProvider>
      </QueryClientProvider>
    );
    const { unmount } = renderHook(() => useSessionsListStream(), { wrapper });
    await waitFor(() => expect(client.getQueryState(key)?.isInvalidated).toBe(true), { timeout: 3000 });
    unmount();
  });

  it("ReviewPanel shows the state and who did what", () => {
    const events: ReviewEvent[] = [
      {
        id: 1,
        action: "claim",
        actor: "otto",
        at: new Date(),
        fromStatus: "needs_review",
        toStatus: "in_progress",
        assignee: "otto",
        qualityRating: null,
        comment: null,
      },
      {
        id: 2,
        action: "complete",
        actor: "otto",
        at: new Date(),
        fromStatus: "in_progress",
        toStatus: "reviewed",
        assignee: "otto",
        qualityRating: "inaccurate",
        comment: "wrong pod",
      },
    ];
    const review = {
      reviewStatus: "reviewed" as const,
      assignee: "otto",
      qualityRating: "inaccurate" as const,
      reviewedAt: new Date(),
      reviewedBy: "otto",
    };
    render(
      <MemoryRouter>
        <ReviewPanel review={review} events={events} />
      </MemoryRouter>,
    );
    expect(screen.getByTestId("review-status")).toHaveTextContent("Reviewed");
    expect(screen.getByText(/claimed it/)).toBeInTheDocument();
    expect(screen.getByText(/completed the review: Inaccurate/)).toBeInTheDocument();
    expect(screen.getByText("wrong pod")).toBeInTheDocument();
  });

  it("ReviewPanel is absent while the session runs", () => {
    const review = { reviewStatus: null, assignee: null, qualityRating: null, reviewedAt: null, reviewedBy: null };
    render(
      <MemoryRouter>
        <ReviewPanel review={review} events={[]} />
      </MemoryRouter>,
    );
    expect(screen.queryByTestId("review-panel")).toBeNull();
  });
});
