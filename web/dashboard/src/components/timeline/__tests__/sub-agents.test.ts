import { describe, expect, it } from "vitest";
import type { Execution } from "../../../api/session";
import { type AgentLane, nestSubAgents } from "../model";

function lane(id: string, parent: string | null = null): AgentLane {
  const execution: Execution = {
    id,
    agentName: id,
    agentIndex: 0,
    strategy: "",
    llmProvider: "",
    model: "",
    status: "active",
    startedAt: null,
    completedAt: null,
    errorMessage: null,
    parentExecutionId: parent,
    task: parent ? `task of ${id}` : null,
  };
  return { execution, key: id, events: [] };
}

describe("nestSubAgents", () => {
  it("puts each sub-agent right after the agent that dispatched it", () => {
    const lanes = [lane("A"), lane("B"), lane("a1", "A"), lane("b1", "B"), lane("a2", "A")];
    expect(nestSubAgents(lanes).map((l) => l.key)).toEqual(["A", "a1", "a2", "B", "b1"]);
  });

  it("keeps a sub-agent whose parent is not in the stage as a lane of its own", () => {
    expect(nestSubAgents([lane("x1", "gone"), lane("A")]).map((l) => l.key)).toEqual(["x1", "A"]);
  });
});
