/**
 * Server-sent events over `fetch`, with reconnection and de-duplication by event id.
 *
 * Why not `EventSource`: it reconnects on its own after the server *ends* a stream, which TARSy
 * does on purpose once a session is over, so a finished page would poll forever; and it cannot
 * tell "ended" from "dropped". Here a clean end of the body means "the server is done" and a
 * network error means "dropped": only the second reconnects by itself, sending `Last-Event-ID`
 * exactly as `EventSource` would. The first connection resumes with `?after=<id>` when the caller
 * already holds events up to that id.
 */

import { withIdentity } from "../api/http";

export interface SseMessage {
  /** Persisted events carry an increasing id; token deltas carry none. */
  id: number | null;
  event: string;
  data: string;
}

/** Incremental parser of the text/event-stream format (WHATWG HTML, "Parsing an event stream"). */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: number | null = null;
  private hasId = false;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    let start = 0;
    for (;;) {
      const nl = this.buffer.slice(start).search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const end = start + nl;
      const line = this.buffer.slice(start, end);
      const width = this.buffer.startsWith("\r\n", end) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for more input.
      if (this.buffer[end] === "\r" && end + 1 === this.buffer.length) break;
      start = end + width;
      const message = this.line(line);
      if (message) out.push(message);
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.reset();
        return null;
      }
      const message: SseMessage = {
        id: this.hasId ? this.id : null,
        event: this.event || "message",
        data: this.data.join("\n"),
      };
      this.reset();
      return message;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && /^\d+$/.test(value)) {
      this.id = Number(value);
      this.hasId = true;
    }
    return null;
  }

  private reset(): void {
    this.data = [];
    this.event = "";
    this.hasId = false;
    this.id = null;
  }
}

export interface SseResponse {
  status: number;
  messages: AsyncIterable<SseMessage>;
}

/** Opens one stream; tests replace it with recorded sequences. */
export type SseTransport = (url: string, headers: Record<string, string>, signal: AbortSignal) => Promise<SseResponse>;

export const fetchTransport: SseTransport = async (url, headers, signal) => {
  const res = await fetch(url, {
    headers: withIdentity({ Accept: "text/event-stream", ...headers }),
    signal,
    cache: "no-store",
  });
  if (res.ok && !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
    // Not a stream at all (e.g. the dashboard's index.html): the endpoint does not exist here.
    await res.body?.cancel();
    return { status: 404, messages: (async function* () {})() };
  }
  const body = res.body;
  async function* messages(): AsyncGenerator<SseMessage> {
    if (!body) return;
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield* parser.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  return { status: res.status, messages: messages() };
};

export type StreamState =
  | "connecting" // first connection under way
  | "live" // connected and receiving
  | "reconnecting" // dropped; retrying with Last-Event-ID
  | "ended" // the server closed the stream on purpose (nothing more to say)
  | "unavailable"; // the endpoint does not exist (404): callers fall back to polling

export interface StreamOptions {
  url: string;
  /** Resume after this id on the first connection (`?after=`); 0 replays everything. */
  after: number;
  transport?: SseTransport;
  signal: AbortSignal;
  /** Receives messages in arrival order, batched (see `flushEveryMs`). */
  onMessages: (messages: SseMessage[]) => void;
  onState: (state: StreamState, detail?: string) => void;
  /** Asked after the server ended a stream cleanly: should we connect again? */
  shouldResume?: () => boolean;
  flushEveryMs?: number;
  /** Backoff schedule in ms for reconnects (the last value repeats). */
  backoffMs?: readonly number[];
  /**
   * How repeats are recognised. "monotonic" (one session's stream, whose ids commit in order):
   * anything not above the last id is a repeat. "recent" (the list stream, where events of
   * different sessions may commit out of id order): only ids seen lately are repeats.
   */
  dedupe?: "monotonic" | "recent";
}

const RECENT_WINDOW = 2000;

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 15000] as const;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function withAfter(url: string, after: number): string {
  if (after <= 0) return url;
  return `${url}${url.includes("?") ? "&" : "?"}after=${after}`;
}

/**
 * Run a stream until the server ends it for good or `signal` aborts. Messages whose id is not
 * above the last id seen are dropped here (a replay after reconnect may repeat some).
 */
export async function runStream(options: StreamOptions): Promise<void> {
  const { signal, onState } = options;
  const transport = options.transport ?? fetchTransport;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF;
  const flushEvery = options.flushEveryMs ?? 50;
  let lastId = options.after;
  const recent = new Set<number>();
  const seenBefore = (id: number): boolean => {
    if (options.dedupe !== "recent") return id <= lastId;
    if (recent.has(id)) return true;
    recent.add(id);
    if (recent.size > RECENT_WINDOW) recent.delete(recent.values().next().value as number);
    return false;
  };
  let failures = 0;
  let first = true;

  let pending: SseMessage[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (pending.length === 0 || signal.aborted) return;
    const batch = pending;
    pending = [];
    options.onMessages(batch);
  };
  const enqueue = (message: SseMessage) => {
    pending.push(message);
    if (flushEvery <= 0) flush();
    else if (timer === null) timer = setTimeout(flush, flushEvery);
  };

  while (!signal.aborted) {
    onState(first ? "connecting" : "reconnecting");
    let received = 0;
    try {
      const url = first ? withAfter(options.url, lastId) : options.url;
      const headers: Record<string, string> = first || lastId <= 0 ? {} : { "Last-Event-ID": String(lastId) };
      first = false;
      const res = await transport(url, headers, signal);
      if (res.status === 404) {
        onState("unavailable", "the stream endpoint answered 404");
        return;
      }
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
      onState("live");
      for await (const message of res.messages) {
        if (signal.aborted) break;
        if (message.id !== null) {
          if (seenBefore(message.id)) continue; // already applied: a replay repeated it
          lastId = Math.max(lastId, message.id);
        }
        received += 1;
        failures = 0;
        enqueue(message);
      }
      if (timer !== null) clearTimeout(timer);
      flush();
      if (signal.aborted) return;
      // A clean end: the server had nothing more to say. Resume only if the caller still expects
      // more (e.g. the session is not over yet), backing off while such ends bring nothing new.
      if (!options.shouldResume?.()) {
        onState("ended");
        return;
      }
      failures = received > 0 ? 0 : failures + 1;
    } catch (error) {
      if (timer !== null) clearTimeout(timer);
      flush();
      if (signal.aborted) return;
      failures += 1;
      onState("reconnecting", error instanceof Error ? error.message : String(error));
    }
    await sleep(backoff[Math.min(Math.max(failures - 1, 0), backoff.length - 1)] ?? 1000, signal);
  }
}
