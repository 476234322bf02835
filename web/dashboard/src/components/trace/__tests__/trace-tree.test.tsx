import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { toSessionTrace } from "../../../api/trace";
import { TraceTree } from "../TraceTree";

function execution(id: string, name: string, parent: string | null = null) {
  return {
    execution_id: id,
    agent_name: name,
    agent_index: 0,
    parent_execution_id: parent,
    task: parent ? `${name}: check your part` : null,
    interactions: [],
  };
}

describe("TraceTree", () => {
  it("nests sub-agents under the agent that dispatched them", () => {
    const trace = toSessionTrace({
      session_id: "s1",
      stages: [
        {
          stage_id: "st1",
          stage_index: 0,
          name: "lead",
          stage_type: "investigation",
          executions: [execution("g", "Gamma", "l"), execution("l", "Lead"), execution("a", "Alpha", "l")],
        },
      ],
      session_interactions: [],
      approvals: [],
    });
    render(<TraceTree trace={trace} selected={null} onSelect={() => {}} />);
    const labels = screen.getAllByTestId("trace-execution").map((e) => e.textContent);
    expect(labels).toEqual(["Lead", "↳ Gamma (sub-agent)", "↳ Alpha (sub-agent)"]);
    expect(screen.getByText("↳ Alpha (sub-agent)")).toHaveAttribute("title", "Alpha: check your part");
  });
});
