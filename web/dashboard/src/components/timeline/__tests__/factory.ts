/**
 * Test data for timeline tests: recorded sessions (fixtures/*.json, made by
 * scripts/record-session.mjs against a real TARSy), a scripted SSE transport that replays them,
 * a fake REST server, and builders for hand-made events.
 */

import { QueryClient } from "@tanstack/react-query";
import type { SessionDetailWire } from "../../../api/session";
import type { TimelineEventWire } from "../../../api/timeline";
import type { SseMessage, SseResponse, SseTransport } from "../../../live/sse";

export interface RecordedEvent {
  id: number | null;
  event: string;
  data: Record<string, unknown>;
}

export interface RecordedConnection {
  /** The Last-Event-ID this connection was opened with when recorded (null: first connection). */
  lastEventId: number | null;
  events: RecordedEvent[];
  /** "dropped": the connection broke (network); "closed": the server ended the stream. */
  end: "dropped" | "closed";
}

export interface Recording {
  session: SessionDetailWire;
  timeline: TimelineEventWire[];
  connections: RecordedConnection[];
  final: SessionDetailWire;
  finalTimeline: TimelineEventWire[];
}

export function asRecording(json: unknown): Recording {
  return json as Recording;
}

// ---------------------------------------------------------------- scripted SSE transport

interface Gate {
  connection: number;
  index: number;
  reached: () => void;
  release: Promise<void>;
}

export interface TransportCall {
  url: string;
  headers: Record<string, string>;
}

/**
 * Plays recorded connections in order, one per call. `pause(c, i)` holds connection `c` before its
 * event `i` until released, so a test can look at the page mid-stream. After the last connection
 * it answers with a stream that stays open until aborted (no busy reconnect loop).
 */
export class ScriptedTransport {
  readonly calls: TransportCall[] = [];
  private readonly gates: Gate[] = [];
  private finishedResolvers: (() => void)[] = [];
  exhausted = false;

  constructor(private readonly connections: RecordedConnection[]) {}

  pause(connection: number, index: number): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((r) => (reached = r));
    const releasePromise = new Promise<void>((r) => (release = r));
    this.gates.push({ connection, index, reached, release: releasePromise });
    return { reached: reachedPromise, release };
  }

  /** Resolves once every recorded connection has been played to its end. */
  finished(): Promise<void> {
    if (this.exhausted) return Promise.resolve();
    return new Promise((r) => this.finishedResolvers.push(r));
  }

  readonly transport: SseTransport = async (url, headers, signal) => {
    const n = this.calls.length;
    this.calls.push({ url, headers });
    const connection = this.connections[n];
    if (!connection) return { status: 200, messages: this.idle(signal) };
    return { status: 200, messages: this.play(n, connection, signal) } satisfies SseResponse;
  };

  private async *play(n: number, connection: RecordedConnection, signal: AbortSignal): AsyncGenerator<SseMessage> {
    for (const [i, e] of connection.events.entries()) {
      const gate = this.gates.find((g) => g.connection === n && g.index === i);
      if (gate) {
        gate.reached();
        await gate.release;
      }
      if (signal.aborted) return;
      yield { id: e.id, event: e.event, data: JSON.stringify(e.data) };
    }
    if (n === this.connections.length - 1) {
      this.exhausted = true;
      this.finishedResolvers.forEach((r) => r());
    }
    if (connection.end === "dropped") throw new Error("connection dropped (recorded)");
  }

  private async *idle(signal: AbortSignal): AsyncGenerator<SseMessage> {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  }
}

// ---------------------------------------------------------------- fake REST server

/**
 * Answers the session's REST endpoints from the recording: the snapshot taken at submission while
 * the stream is still playing, the final one afterwards. Everything else is a 404 error body.
 */
export function fakeRestServer(recording: Recording, transport: ScriptedTransport): typeof fetch {
  const id = recording.session.id;
  return async (input) => {
    const url = new URL(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      "http://test",
    );
    const done = transport.exhausted;
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (url.pathname === `/api/v1/sessions/${id}`) return json(done ? recording.final : recording.session);
    if (url.pathname === `/api/v1/sessions/${id}/timeline`)
      return json(done ? recording.finalTimeline : recording.timeline);
    return json({ error: { code: "not_found", message: `${url.pathname} is not served by this test` } }, 404);
  };
}

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: 60_000 }, mutations: { retry: false } },
  });
}

// ---------------------------------------------------------------- builders

let seq = 0;

export function sse(event: string, data: Record<string, unknown>, id: number | null = null): SseMessage {
  return { id, event, data: JSON.stringify({ type: event, ...data }) };
}

export function timelineWire(overrides: Partial<TimelineEventWire> = {}): TimelineEventWire {
  seq += 1;
  return {
    id: `ev-${seq}`,
    sequence: seq,
    stage_id: "stage-1",
    execution_id: "exec-1",
    event_type: "llm_response",
    status: "completed",
    content: "text",
    metadata: {},
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

export function sessionWire(overrides: Partial<SessionDetailWire> = {}): SessionDetailWire {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    alert_type: "kubernetes",
    chain_id: "kubernetes",
    status: "in_progress",
    alert_data: { alertname: "Test" },
    runbook_url: null,
    author: "tester",
    cancelled_by: null,
    final_analysis: null,
    executive_summary: null,
    error_message: null,
    created_at: "2026-01-01T00:00:00Z",
    started_at: "2026-01-01T00:00:01Z",
    completed_at: null,
    duration_ms: null,
    executive_summary_error: null,
    alert_masking_error: null,
    runbook_error: null,
    slack_message_fingerprint: null,
    mcp_selection: null,
    input_tokens: 0,
    output_tokens: 0,
    thinking_tokens: 0,
    total_tokens: 0,
    cached_tokens: 0,
    cost_usd: 0,
    cost_estimated: false,
    unpriced_calls: 0,
    pending_approvals: [],
    approvals: [],
    forked_from: null,
    forks: [],
    review_status: null,
    assignee: null,
    quality_rating: null,
    reviewed_at: null,
    reviewed_by: null,
    review_events: [],
    score: null,
    stages: [
      {
        id: "stage-1",
        stage_index: 0,
        name: "analysis",
        stage_type: "investigation",
        parallel_type: "single",
        expected_agents: 1,
        success_policy: "any",
        referenced_stage_id: null,
        status: "active",
        started_at: "2026-01-01T00:00:01Z",
        completed_at: null,
        error_message: null,
        input_tokens: 0,
        output_tokens: 0,
        thinking_tokens: 0,
        total_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0,
        cost_estimated: false,
        unpriced_calls: 0,
        executions: [
          {
            id: "exec-1",
            agent_name: "KubernetesAgent",
            agent_index: 0,
            strategy: "react",
            llm_provider: "demo",
            model: "scripted",
            status: "active",
            started_at: "2026-01-01T00:00:01Z",
            completed_at: null,
            error_message: null,
            input_tokens: 0,
            output_tokens: 0,
            thinking_tokens: 0,
            total_tokens: 0,
            cached_tokens: 0,
            cost_usd: 0,
            cost_estimated: false,
            unpriced_calls: 0,
            provider_fallbacks: [],
            parent_execution_id: null,
            task: null,
            dispatch_index: 0,
          },
        ],
      },
    ],
    ...overrides,
  };
}

/** The deltas of one timeline event in a recording, in order. */
export function deltasOf(recording: Recording, eventId: string): string[] {
  return recording.connections
    .flatMap((c) => c.events)
    .filter((e) => e.event === "stream.chunk" && e.data.event_id === eventId)
    .map((e) => String(e.data.delta));
}
