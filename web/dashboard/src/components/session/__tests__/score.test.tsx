import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { MemoryRouter } from "react-router";
import { type ScoreWire, toSessionDetail, toSessionScore } from "../../../api/session";
import { DEFAULT_LIST_PARAMS, type SessionPage, toSessionPage } from "../../../api/sessions";
import { paramsFromSearch, searchFromParams } from "../../../lib/listParams";
import { sessionWire } from "../../timeline/__tests__/factory";
import { SessionTable } from "../../sessions/SessionTable";
import { ScoreCard } from "../ScoreCard";

function scoreWire(overrides: Partial<ScoreWire> = {}): ScoreWire {
  return {
    id: "score-1",
    status: "completed",
    score: 84,
    outcome: "correct",
    analysis: "Found the **OOM kill**.",
    failure_tags: ["redundant_tool_calls"],
    dropped_tags: [],
    tool_report: "A log search tool was missing.",
    provider: "google-default",
    error: null,
    requested_by: "tarsy",
    created_at: "2026-01-01T00:00:00Z",
    scored_at: "2026-01-01T00:00:05Z",
    ...overrides,
  };
}

function summary(id: string, score: number | null) {
  return {
    id,
    alert_type: "kubernetes",
    chain_id: "kubernetes",
    status: "completed",
    author: "tester",
    created_at: "2026-01-01T00:00:00Z",
    started_at: "2026-01-01T00:00:00Z",
    completed_at: "2026-01-01T00:01:00Z",
    duration_ms: 60_000,
    executive_summary: null,
    error_message: null,
    input_tokens: 1,
    output_tokens: 1,
    total_tokens: 2,
    stage_count: 1,
    forked_from: null,
    matched_in_timeline: false,
    score,
  };
}

function page(): SessionPage {
  return toSessionPage({ items: [summary("a", 84), summary("b", null)], total: 2, page: 1, page_size: 25 });
}

describe("score in the session list", () => {
  it("shows each session's latest score, a dash when never scored", () => {
    render(
      <MemoryRouter>
        <SessionTable page={page()} params={DEFAULT_LIST_PARAMS} fetching={false} onChange={() => {}} />
      </MemoryRouter>,
    );
    const cells = screen.getAllByTestId("session-score").map((c) => c.textContent);
    expect(cells).toEqual(["84", "—"]);
  });

  it("sorts by score through the server, descending first, then ascending", async () => {
    const onChange = vi.fn();
    const { rerender } = render(
      <MemoryRouter>
        <SessionTable page={page()} params={DEFAULT_LIST_PARAMS} fetching={false} onChange={onChange} />
      </MemoryRouter>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Score" }));
    expect(onChange).toHaveBeenLastCalledWith({ sortBy: "score", sortOrder: "desc", page: 1 });
    rerender(
      <MemoryRouter>
        <SessionTable
          page={page()}
          params={{ ...DEFAULT_LIST_PARAMS, sortBy: "score", sortOrder: "desc" }}
          fetching={false}
          onChange={onChange}
        />
      </MemoryRouter>,
    );
    await userEvent.click(screen.getByRole("button", { name: /Score/ }));
    expect(onChange).toHaveBeenLastCalledWith({ sortBy: "score", sortOrder: "asc", page: 1 });
  });

  it("keeps sort_by=score in the URL", () => {
    const params = paramsFromSearch(new URLSearchParams("sort_by=score"));
    expect(params.sortBy).toBe("score");
    expect(searchFromParams(params).get("sort_by")).toBe("score");
  });
});

describe("score card", () => {
  it("reads the detail's latest score", () => {
    const detail = toSessionDetail(sessionWire({ status: "completed", score: scoreWire() }));
    expect(detail.score?.score).toBe(84);
    expect(detail.score?.failureTags).toEqual(["redundant_tool_calls"]);
    expect(toSessionDetail(sessionWire()).score).toBeNull();
  });

  it("shows score, outcome, tags, analysis and the tool report, and re-scores on click", async () => {
    const onRescore = vi.fn();
    render(
      <ScoreCard score={toSessionScore(scoreWire())} canRescore rescoring={false} onRescore={onRescore} error={null} />,
    );
    const card = screen.getByTestId("score-card");
    expect(within(card).getByText("84")).toBeInTheDocument();
    expect(within(card).getByText("correct")).toBeInTheDocument();
    expect(
      within(card)
        .getAllByTestId("failure-tag")
        .map((t) => t.textContent),
    ).toEqual(["redundant_tool_calls"]);
    expect(within(card).getByText("OOM kill")).toBeInTheDocument();
    expect(within(card).getByText("A log search tool was missing.")).toBeInTheDocument();
    await userEvent.click(within(card).getByRole("button", { name: "Re-score" }));
    expect(onRescore).toHaveBeenCalledOnce();
  });

  it("disables the button while a run is in flight and shows a failed run's reason", () => {
    const { rerender } = render(
      <ScoreCard
        score={toSessionScore(scoreWire({ status: "scoring", score: null, outcome: null }))}
        canRescore
        rescoring={false}
        onRescore={() => {}}
        error={null}
      />,
    );
    expect(screen.getByText("Scoring…")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Re-score" })).toBeDisabled();
    rerender(
      <ScoreCard
        score={toSessionScore(scoreWire({ status: "failed", score: null, error: "no score in the answer" }))}
        canRescore
        rescoring={false}
        onRescore={() => {}}
        error={null}
      />,
    );
    expect(screen.getByText(/no score in the answer/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Re-score" })).toBeEnabled();
  });

  it("offers no button to a viewer, and says when a session was never scored", () => {
    render(<ScoreCard score={null} canRescore={false} rescoring={false} onRescore={() => {}} error={null} />);
    expect(screen.getByText("Not scored.")).toBeInTheDocument();
    expect(screen.queryByRole("button")).toBeNull();
  });
});
