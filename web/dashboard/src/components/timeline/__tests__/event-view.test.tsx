import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { toTimelineEvent } from "../../../api/timeline";
import { EventView } from "../EventView";
import { timelineWire } from "./factory";

function show(overrides: Parameters<typeof timelineWire>[0], expanded = false, onToggle = () => {}) {
  return render(<EventView event={toTimelineEvent(timelineWire(overrides))} expanded={expanded} onToggle={onToggle} />);
}

describe("EventView", () => {
  it("draws a tool call with server, tool, arguments, result and flags", () => {
    show({
      event_type: "llm_tool_call",
      content: "NAME READY\ncheckout 0/1",
      metadata: {
        tool: "kubernetes-server.pods_list",
        arguments: { namespace: "prod" },
        is_error: false,
        summarized: true,
      },
    });
    const call = screen.getByTestId("tool-call");
    expect(call).toHaveTextContent("kubernetes-server.pods_list");
    expect(within(call).getByLabelText("arguments")).toHaveTextContent('"namespace": "prod"');
    expect(within(call).getByLabelText("result")).toHaveTextContent("checkout 0/1");
    expect(within(call).getByText("summarized")).toBeInTheDocument();
    expect(within(call).queryByText("error")).toBeNull();
  });

  it("folds a long tool result and unfolds it on request", async () => {
    const toggles: string[] = [];
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");
    show({ event_type: "llm_tool_call", content: long, metadata: { tool: "s.t", is_error: true } }, false, () =>
      toggles.push("t"),
    );
    expect(screen.getByLabelText("result")).not.toHaveTextContent("line 39");
    expect(screen.getByText("error")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Show all 40 lines" }));
    expect(toggles).toEqual(["t"]);
  });

  it("shows the memories a session was given as their own entry", () => {
    show({
      event_type: "memory_injected",
      content: "## Lessons from past investigations\n- [root_cause, confidence 0.80] api pods OOMKill at 256Mi",
      metadata: { memories: [{ id: "m-1", category: "root_cause", similarity: 0.8, score: 0.6 }] },
    });
    expect(screen.getByText("Memories from past investigations")).toBeInTheDocument();
    expect(screen.getByTestId("memory-injected")).toHaveTextContent("api pods OOMKill at 256Mi");
  });

  it("shows a loaded skill and a provider switch with its reason", () => {
    show({ event_type: "skill_loaded", content: "oom-triage", metadata: { skills: ["oom-triage"] } });
    expect(screen.getByTestId("skill-loaded")).toHaveTextContent("Loaded skill: oom-triage");
    show({
      event_type: "provider_fallback",
      content: "primary failed",
      metadata: {
        from_provider: "primary",
        from_model: "m1",
        to_provider: "backup",
        to_model: "m2",
        reason: "LLM provider 'primary' (m1) failed [provider_down]",
        category: "provider_down",
      },
    });
    const line = screen.getByTestId("provider-fallback");
    expect(line).toHaveTextContent("Switched provider: primary → backup (m2)");
    expect(line).toHaveTextContent("failed [provider_down]");
  });

  it("shows thinking apart from the answer, collapsed to its first line when done", () => {
    show({ event_type: "llm_thinking", content: "First I check the pod.\nThen the logs." });
    const block = screen.getByTestId("thinking");
    expect(within(block).getByText("Thought")).toBeInTheDocument();
    expect(within(block).getByText("First I check the pod.")).toBeInTheDocument();
    expect(within(block).queryByTestId("thinking-text")).toBeNull();
  });

  it("renders native tool results: search sources and code execution", () => {
    show({
      event_type: "google_search_result",
      content: "Searched: oom",
      metadata: {
        queries: ["kubernetes oomkilled exit 137"],
        sources: [{ title: "K8s docs", uri: "https://kubernetes.io/docs/x" }],
      },
    });
    expect(screen.getByRole("link", { name: "K8s docs" })).toHaveAttribute("href", "https://kubernetes.io/docs/x");
    expect(screen.getByText(/kubernetes oomkilled exit 137/)).toBeInTheDocument();
    show({ event_type: "code_execution", content: "", metadata: { code: "print(1+1)", output: "2" } });
    expect(screen.getByLabelText("code")).toHaveTextContent("print(1+1)");
    expect(screen.getByLabelText("output")).toHaveTextContent("2");
  });

  it("renders summaries, errors and chat questions", () => {
    show({ event_type: "mcp_tool_summary", content: "**3 pods** crash", metadata: { tool: "k8s.pods_list" } });
    expect(screen.getByText("Summary of k8s.pods_list")).toBeInTheDocument();
    expect(screen.getByText("3 pods")).toBeInTheDocument();
    show({ event_type: "error", content: "LLM provider timed out" });
    expect(screen.getByRole("alert")).toHaveTextContent("LLM provider timed out");
    show({ event_type: "user_question", content: "Why OOM?", metadata: { author: "alice" } });
    expect(screen.getByTestId("user-question")).toHaveTextContent("alice asked");
  });

  it("warns when live text joined mid-stream", () => {
    render(
      <EventView
        event={{ ...toTimelineEvent(timelineWire({ status: "streaming", content: "tail" })), partial: true }}
        expanded={false}
        onToggle={() => {}}
      />,
    );
    expect(screen.getByText(/Joined mid-stream/)).toBeInTheDocument();
  });
});
