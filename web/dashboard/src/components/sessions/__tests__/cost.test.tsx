import { render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { toSessionDetail } from "../../../api/session";
import { DEFAULT_LIST_PARAMS, type SessionSummaryWire, toSessionPage } from "../../../api/sessions";
import { toLlmDetail, toSessionTrace } from "../../../api/trace";
import { costTitle, formatCost } from "../../../lib/format";
import { SessionHeader } from "../../session/SessionHeader";
import { sessionWire } from "../../timeline/__tests__/factory";
import { LlmDetail } from "../../trace/InteractionDetail";
import { TraceTree } from "../../trace/TraceTree";
import { SessionTable } from "../SessionTable";

function summaryWire(id: string, overrides: Partial<SessionSummaryWire> = {}): SessionSummaryWire {
  return {
    id,
    alert_type: "PodCrash",
    chain_id: "kubernetes",
    status: "completed",
    author: "alice",
    created_at: "2026-01-01T00:00:00Z",
    started_at: "2026-01-01T00:00:01Z",
    completed_at: "2026-01-01T00:01:00Z",
    duration_ms: 59_000,
    executive_summary: "OOM",
    error_message: null,
    input_tokens: 10_000,
    output_tokens: 1_000,
    total_tokens: 11_000,
    cost_usd: 0.022,
    cost_estimated: false,
    unpriced_calls: 0,
    stage_count: 1,
    forked_from: null,
    matched_in_timeline: false,
    ...overrides,
  };
}

function llmCall(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    kind: "llm",
    created_at: "2026-01-01T00:00:02Z",
    interaction_type: "iteration",
    provider: "google-default",
    model: "gemini-2.5-flash",
    server: null,
    tool: null,
    input_tokens: 10_000,
    output_tokens: 1_000,
    cost_usd: 0.022,
    cost_estimated: false,
    cost_note: null,
    duration_ms: 1200,
    error: null,
    is_error: false,
    ...overrides,
  };
}

describe("cost formatting", () => {
  it("shows dollars with the precision a small figure needs, ~ for estimates and — for unpriced", () => {
    expect([
      formatCost(null),
      formatCost(0),
      formatCost(0.022),
      formatCost(0.00004),
      formatCost(1.5, true),
      formatCost(12.345),
    ]).toEqual(["—", "$0.00", "$0.0220", "$0.000040", "~$1.50", "$12.35"]);
  });

  it("says in the tooltip what the figure leaves out", () => {
    expect(costTitle({ costUsd: 0.5, costEstimated: true, unpricedCalls: 2 })).toBe(
      "Estimated cost from list prices; some token counts are estimates (the provider reported none); " +
        "2 call(s) without a price are not included",
    );
  });
});

describe("cost in the dashboard", () => {
  it("has a cost column in the session list", () => {
    const page = toSessionPage({
      items: [
        summaryWire("a"),
        summaryWire("b", { cost_usd: 1.5, cost_estimated: true }),
        summaryWire("c", { cost_usd: null, unpriced_calls: 3 }),
      ],
      total: 3,
      page: 1,
      page_size: 20,
    });
    render(
      <MemoryRouter>
        <SessionTable page={page} params={DEFAULT_LIST_PARAMS} fetching={false} onChange={() => {}} />
      </MemoryRouter>,
    );
    expect(screen.getByRole("columnheader", { name: "Cost" })).toBeInTheDocument();
    const cells = screen.getAllByTestId("session-cost");
    expect(cells.map((c) => c.textContent)).toEqual(["$0.0220", "~$1.50", "—"]);
    expect(cells[2]).toHaveAttribute("title", expect.stringContaining("3 call(s) without a price"));
  });

  it("shows the session's cost in the detail header", () => {
    const session = toSessionDetail(sessionWire({ status: "completed", cost_usd: 0.3125, cost_estimated: true }));
    render(
      <MemoryRouter>
        <SessionHeader session={session} stats={null} cancelling={false} onCancel={() => {}} cancelError={null} />
      </MemoryRouter>,
    );
    const header = screen.getByTestId("session-header");
    expect(within(header).getByText("Cost")).toBeInTheDocument();
    expect(within(header).getByText("~$0.3125")).toBeInTheDocument();
  });

  it("shows each model call's cost in the trace, and why one has none", () => {
    const trace = toSessionTrace({
      session_id: "s1",
      stages: [
        {
          stage_id: "st1",
          stage_index: 0,
          name: "analysis",
          stage_type: "investigation",
          executions: [
            {
              execution_id: "e1",
              agent_name: "KubernetesAgent",
              agent_index: 0,
              parent_execution_id: null,
              task: null,
              interactions: [
                llmCall("i1"),
                llmCall("i2", { cost_usd: 0.0005, cost_estimated: true }),
                llmCall("i3", { model: "llama3", cost_usd: null, cost_note: "no price for model 'llama3'" }),
              ],
            },
          ],
        },
      ],
      session_interactions: [],
      approvals: [],
    });
    render(<TraceTree trace={trace} selected={null} onSelect={() => {}} />);
    const rows = screen.getAllByTestId("trace-interaction").map((r) => r.textContent ?? "");
    expect(rows[0]).toContain("$0.0220");
    expect(rows[1]).toContain("~$0.0005");
    expect(rows[2]).toContain("—");

    render(
      <LlmDetail
        detail={toLlmDetail({
          ...llmCall("i3", { model: "llama3", cost_usd: null, cost_note: "no price for model 'llama3'" }),
          session_id: "s1",
          stage_id: "st1",
          execution_id: "e1",
          messages: [],
          tools: [],
          response: null,
          thinking: "",
          thinking_tokens: 0,
          total_tokens: 11_000,
          cached_tokens: 0,
        })}
      />,
    );
    expect(screen.getByTestId("llm-cost")).toHaveAttribute("title", "no price for model 'llama3'");
  });
});
