import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRouter } from "react-router";
import {
  type Checkpoint,
  type CheckpointWire,
  describeCheckpoint,
  providerNames,
  toCheckpoint,
} from "../../../api/forks";
import { toSessionDetail } from "../../../api/session";
import { type Recording, ScriptedTransport, sessionWire } from "../../timeline/__tests__/factory";
import { renderRecording } from "../../timeline/__tests__/harness";
import { ForkDialog, MAX_INSTRUCTIONS } from "../ForkDialog";
import { ForksPanel } from "../ForksPanel";
import { SessionCompare } from "../SessionCompare";

const PARENT = "00000000-0000-4000-8000-000000000001";
const FORK = "00000000-0000-4000-8000-0000000000f1";

function checkpointWire(overrides: Partial<CheckpointWire> = {}): CheckpointWire {
  return {
    id: "stage-0",
    kind: "stage_boundary",
    stage_index: 0,
    stage_name: "analysis",
    stage_type: "investigation",
    at: "2026-01-01T00:00:01Z",
    agent_name: null,
    agent_index: null,
    iteration: null,
    stages_completed: [],
    model_calls: 0,
    tool_calls: 0,
    last_reply: null,
    last_tool_calls: [],
    ...overrides,
  };
}

const ITERATION = checkpointWire({
  id: "stage-0-agent-0-call-1",
  kind: "agent_iteration",
  agent_name: "KubernetesAgent",
  agent_index: 0,
  iteration: 1,
  model_calls: 1,
  tool_calls: 1,
  last_reply: "Listing the pods first.",
  last_tool_calls: ["kubernetes-server__pods_list"],
});

const points: Checkpoint[] = [checkpointWire(), ITERATION].map(toCheckpoint);

afterEach(() => vi.unstubAllGlobals());

describe("fork helpers", () => {
  it("describe a resume point and list the configured providers", () => {
    expect(describeCheckpoint(points[0]!)).toBe("Before “analysis” (start over)");
    expect(describeCheckpoint(points[1]!)).toBe("KubernetesAgent, after call 1 → kubernetes-server__pods_list");
    expect(providerNames({ llm_providers: { "z-model": {}, "a-model": {} } })).toEqual(["a-model", "z-model"]);
    expect(providerNames({})).toEqual([]);
  });
});

describe("ForkDialog", () => {
  it("sends the chosen point, provider and trimmed instructions", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(
      <ForkDialog
        stageName="analysis"
        checkpoints={points}
        providers={["alt-model", "main-model"]}
        submitting={false}
        error={null}
        onClose={() => {}}
        onSubmit={onSubmit}
      />,
    );
    await user.click(screen.getByRole("radio", { name: /KubernetesAgent, after call 1/ }));
    await user.click(screen.getByRole("combobox", { name: "Model provider" }));
    await user.click(await screen.findByRole("option", { name: "alt-model" }));
    await user.type(screen.getByRole("textbox", { name: /Extra instructions/ }), "  Check the memory limit. ");
    await user.click(screen.getByRole("button", { name: "Fork" }));
    expect(onSubmit).toHaveBeenCalledWith({
      checkpointId: "stage-0-agent-0-call-1",
      llmProvider: "alt-model",
      instructions: "Check the memory limit.",
    });
  });

  it("defaults to the stage boundary and each agent's own provider, and refuses instructions over the limit", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    const { rerender } = render(
      <ForkDialog
        stageName="analysis"
        checkpoints={points}
        providers={[]}
        submitting={false}
        error="queue is full"
        onClose={() => {}}
        onSubmit={onSubmit}
      />,
    );
    expect(screen.getByText("queue is full")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Fork" }));
    expect(onSubmit).toHaveBeenLastCalledWith({ checkpointId: "stage-0", llmProvider: null, instructions: null });
    const box = screen.getByRole("textbox", { name: /Extra instructions/ });
    await user.click(box);
    await user.paste("x".repeat(MAX_INSTRUCTIONS + 1));
    expect(screen.getByRole("button", { name: "Fork" })).toBeDisabled();
    rerender(
      <ForkDialog
        stageName="analysis"
        checkpoints={[]}
        providers={[]}
        submitting={false}
        error={null}
        onClose={() => {}}
        onSubmit={onSubmit}
      />,
    );
    expect(screen.getByText(/offers no resume point/)).toBeInTheDocument();
  });
});

describe("ForksPanel and SessionCompare", () => {
  it("links a fork to its parent and each fork to a side-by-side view", () => {
    render(
      <MemoryRouter>
        <ForksPanel
          sessionId={PARENT}
          forkedFrom={null}
          forks={[
            {
              sessionId: FORK,
              status: "completed",
              checkpointId: "stage-1",
              llmProvider: "alt-model",
              author: "op",
              createdAt: null,
            },
          ]}
        />
      </MemoryRouter>,
    );
    const panel = screen.getByTestId("forks-panel");
    expect(within(panel).getByText("stage-1 · alt-model")).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "Compare" })).toHaveAttribute(
      "href",
      `/sessions/${PARENT}/compare/${FORK}`,
    );
  });

  it("renders nothing for a session without forks", () => {
    const { container } = render(
      <MemoryRouter>
        <ForksPanel sessionId={PARENT} forkedFrom={null} forks={[]} />
      </MemoryRouter>,
    );
    expect(container).toBeEmptyDOMElement();
  });

  it("shows both final analyses next to each other", () => {
    const parent = toSessionDetail(sessionWire({ status: "completed", final_analysis: "Parent says OOM." }));
    const fork = toSessionDetail(
      sessionWire({
        id: FORK,
        status: "completed",
        final_analysis: "Fork says memory limit.",
        forked_from: { session_id: PARENT, checkpoint_id: "stage-1", llm_provider: "alt-model", instructions: null },
      }),
    );
    render(
      <MemoryRouter>
        <SessionCompare parent={parent} fork={fork} />
      </MemoryRouter>,
    );
    expect(screen.getByTestId("compare-parent")).toHaveTextContent("Parent says OOM.");
    expect(screen.getByTestId("compare-fork")).toHaveTextContent("Fork says memory limit.");
    expect(screen.getByTestId("compare-fork")).toHaveTextContent("forked at stage-1");
  });
});

describe("Fork from here on the session page", () => {
  it("forks an ended session from a stage and opens the fork", async () => {
    const user = userEvent.setup();
    const done = sessionWire({ status: "completed", completed_at: "2026-01-01T00:00:09Z", final_analysis: "OOM." });
    const recording: Recording = { session: done, timeline: [], connections: [], final: done, finalTimeline: [] };
    const posted: unknown[] = [];
    renderRecording(recording, { transport: new ScriptedTransport([]) });
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(
        typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
        "http://test",
      );
      if (url.pathname === `/api/v1/sessions/${PARENT}`) return json(done);
      if (url.pathname === `/api/v1/sessions/${PARENT}/timeline`) return json([]);
      if (url.pathname === `/api/v1/sessions/${PARENT}/checkpoints`) return json([checkpointWire(), ITERATION]);
      if (url.pathname === "/api/v1/system/config") return json({ config: { llm_providers: { "alt-model": {} } } });
      if (url.pathname === `/api/v1/sessions/${PARENT}/fork` && init?.method === "POST") {
        posted.push(JSON.parse(String(init.body)));
        return json({ session_id: FORK, status: "queued", forked_from: PARENT, checkpoint_id: "stage-0" }, 202);
      }
      if (url.pathname === `/api/v1/sessions/${FORK}`)
        return json(
          sessionWire({
            id: FORK,
            status: "pending",
            forked_from: { session_id: PARENT, checkpoint_id: "stage-0", llm_provider: null, instructions: null },
          }),
        );
      if (url.pathname === `/api/v1/sessions/${FORK}/timeline`) return json([]);
      return json({ error: { code: "not_found", message: `${url.pathname} is not served by this test` } }, 404);
    });

    await user.click(await screen.findByRole("button", { name: "fork from analysis" }));
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByRole("radio", { name: /Before “analysis”/ });
    await user.click(within(dialog).getByRole("button", { name: "Fork" }));

    await waitFor(() => expect(posted).toEqual([{ checkpoint_id: "stage-0", llm_provider: null, instructions: null }]));
    const panel = await screen.findByTestId("forks-panel");
    expect(panel).toHaveTextContent("Forked from 00000000 at stage-0");
  });
});
