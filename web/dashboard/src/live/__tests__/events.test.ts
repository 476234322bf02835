import type { Schemas } from "../../api/wire";
import { parseStreamEvent } from "../events";

const at = "2026-01-01T00:00:00+00:00";

function message(event: string, payload: object, id: number | null = 7) {
  return { id, event, data: JSON.stringify(payload) };
}

describe("parseStreamEvent", () => {
  it("reads a payload of the generated event schema", () => {
    const payload: Schemas["StageStatusEvent"] = {
      type: "stage.status",
      session_id: "s1",
      timestamp: at,
      stage_id: "st1",
      stage_index: 2,
      stage_name: "synthesis",
      stage_type: "synthesis",
      status: "started",
      parallel_type: "single",
      referenced_stage_id: "st0",
    };
    expect(parseStreamEvent(message("stage.status", payload))).toEqual({
      id: 7,
      at: new Date(at),
      type: "stage.status",
      stageId: "st1",
      stageIndex: 2,
      stageName: "synthesis",
      stageType: "synthesis",
      parallelType: "single",
      referencedStageId: "st0",
      status: "active",
      error: null,
    });
  });

  it("takes the name from the payload when the message has none, and a session status may lack a timestamp", () => {
    const payload: Schemas["SessionStatusEvent"] = { type: "session.status", session_id: "s1", status: "completed" };
    const parsed = parseStreamEvent(message("message", payload, null));
    expect(parsed).toMatchObject({ type: "session.status", sessionId: "s1", status: "completed", at: null });
  });

  it("treats a payload whose type contradicts the SSE name, or that is not JSON, as another event", () => {
    const chunk: Schemas["StreamChunkEvent"] = {
      type: "stream.chunk",
      session_id: "s1",
      timestamp: at,
      event_id: "e1",
      delta: "ab",
    };
    expect(parseStreamEvent(message("chat.status", chunk))).toMatchObject({ type: "other", name: "chat.status" });
    expect(parseStreamEvent({ id: 1, event: "stage.status", data: "{" })).toMatchObject({ type: "other" });
  });
});
