import { describe, expect, it } from "vitest";
import { runStream, type SseMessage, SseParser, type SseTransport, type StreamState } from "../sse";

describe("SseParser", () => {
  it("parses ids, event names, multi-line data and comments across chunk boundaries", () => {
    const p = new SseParser();
    const out = [
      ...p.push(': ping\r\n\r\nid: 7\r\nevent: session.status\r\ndata: {"a":'),
      ...p.push("1}\r\n\r\nevent: stream.chunk\ndata: line one\ndata: line two\n\n"),
      ...p.push("id: 8\ndata: x\r"),
      ...p.push("\n\r\n"),
    ];
    expect(out).toEqual([
      { id: 7, event: "session.status", data: '{"a":1}' },
      { id: null, event: "stream.chunk", data: "line one\nline two" },
      { id: 8, event: "message", data: "x" },
    ]);
  });

  it("ignores a block without data and a non-numeric id", () => {
    const p = new SseParser();
    expect(p.push("id: 3\n\nid: abc\ndata: y\n\n")).toEqual([{ id: null, event: "message", data: "y" }]);
  });
});

type Script = { status?: number; messages: SseMessage[]; end: "drop" | "close" }[];

function scripted(script: Script) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const transport: SseTransport = async (url, headers) => {
    calls.push({ url, headers });
    const step = script[calls.length - 1];
    if (!step) throw new Error("no more connections");
    return {
      status: step.status ?? 200,
      messages: (async function* () {
        yield* step.messages;
        if (step.end === "drop") throw new Error("network");
      })(),
    };
  };
  return { calls, transport };
}

const m = (id: number | null, data = "{}"): SseMessage => ({ id, event: "x", data });

async function run(script: Script, after = 0, shouldResume = () => false) {
  const { calls, transport } = scripted(script);
  const got: (number | null)[] = [];
  const states: StreamState[] = [];
  const controller = new AbortController();
  await runStream({
    url: "/events",
    after,
    transport,
    signal: controller.signal,
    flushEveryMs: 0,
    backoffMs: [0],
    onMessages: (batch) => got.push(...batch.map((x) => x.id)),
    onState: (s) => {
      states.push(s);
      if (calls.length >= script.length && s === "reconnecting") controller.abort();
    },
    shouldResume,
  });
  return { calls, got, states };
}

describe("runStream", () => {
  it("resumes with ?after= first, then Last-Event-ID, and drops ids it has already seen", async () => {
    const { calls, got, states } = await run(
      [
        { messages: [m(6), m(null), m(7)], end: "drop" },
        { messages: [m(5), m(6), m(7), m(null), m(8)], end: "close" },
      ],
      5,
    );
    expect(calls).toEqual([
      { url: "/events?after=5", headers: {} },
      { url: "/events", headers: { "Last-Event-ID": "7" } },
    ]);
    expect(got).toEqual([6, null, 7, null, 8]);
    expect(states).toEqual(["connecting", "live", "reconnecting", "reconnecting", "live", "ended"]);
  });

  it("with dedupe 'recent', keeps a late commit of a lower id but still drops repeats", async () => {
    const { transport } = scripted([{ messages: [m(5), m(3), m(5), m(4), m(3)], end: "close" }]);
    const got: (number | null)[] = [];
    await runStream({
      url: "/events",
      after: 0,
      transport,
      signal: new AbortController().signal,
      flushEveryMs: 0,
      dedupe: "recent",
      onMessages: (batch) => got.push(...batch.map((x) => x.id)),
      onState: () => {},
    });
    expect(got).toEqual([5, 3, 4]);
  });

  it("does not reconnect after the server ends the stream unless the caller expects more", async () => {
    let expect_more = true;
    const { calls } = await run(
      [
        { messages: [m(1)], end: "close" },
        { messages: [m(2)], end: "close" },
      ],
      0,
      () => {
        const v = expect_more;
        expect_more = false;
        return v;
      },
    );
    expect(calls.map((c) => c.headers)).toEqual([{}, { "Last-Event-ID": "1" }]);
  });

  it("reports a missing endpoint as unavailable and stops", async () => {
    const { calls, states } = await run([{ status: 404, messages: [], end: "close" }]);
    expect(calls).toHaveLength(1);
    expect(states).toEqual(["connecting", "unavailable"]);
  });
});
