#!/usr/bin/env node
// Records a real session into a timeline test fixture. Submits an alert to a running TARSy, reads
// the session's SSE stream until it ends, and writes
//   {session, timeline, connections: [{lastEventId, events, end}], final, finalTimeline}
// where `session`/`timeline` are the REST answers right after submission and `events` are the raw
// SSE messages ({id, event, data}) as received.
//
//   node scripts/record-session.mjs BASE_URL ALERT_JSON OUT_FILE [--drop-after-chunks=N] [--overlap=K]
//
// --drop-after-chunks=N cuts the first connection after N token deltas of an llm_response (a
// dropped connection), waits for the session to end, and reconnects with Last-Event-ID set K ids
// before the last id received (default 0), as a server replaying an overlapping range would.
import { writeFile } from "node:fs/promises";

const args = process.argv.slice(2);
const flags = Object.fromEntries(args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")));
const [base, body, out] = args.filter((a) => !a.startsWith("--"));
if (!base || !body || !out) {
  console.error("usage: record-session.mjs BASE_URL ALERT_JSON OUT_FILE [--drop-after-chunks=N] [--overlap=K]");
  process.exit(2);
}
const dropAfter = flags["drop-after-chunks"] ? Number(flags["drop-after-chunks"]) : null;
const overlap = Number(flags.overlap ?? "0");

async function json(path, init) {
  const res = await fetch(base + path, init);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function parseBlock(block) {
  const message = { id: null, event: "message", data: [] };
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = Number(value);
    else if (field === "event") message.event = value;
    else if (field === "data") message.data.push(value);
  }
  return message.data.length ? { ...message, data: JSON.parse(message.data.join("\n")) } : null;
}

/** Read one connection; `stop(event, events)` returning true ends it early (a drop). */
async function read(id, headers, stop) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/sessions/${id}/events`, { headers, signal: controller.signal });
  const events = [];
  const decoder = new TextDecoder();
  let buffer = "";
  let dropped = false;
  try {
    for await (const bytes of res.body) {
      buffer += decoder.decode(bytes, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const parsed = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!parsed) continue;
        events.push(parsed);
        if (stop(parsed, events)) {
          dropped = true;
          controller.abort();
          return { events, end: "dropped" };
        }
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  }
  return { events, end: dropped ? "dropped" : "closed" };
}

const accepted = await json("/api/v1/alerts", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
});
const id = accepted.session_id;
const session = await json(`/api/v1/sessions/${id}`);
const timeline = await json(`/api/v1/sessions/${id}/timeline`);

const responses = new Set();
let chunks = 0;
const first = await read(id, {}, (e) => {
  if (dropAfter === null) return false;
  if (e.event === "timeline_event.created" && e.data.event_type === "llm_response") responses.add(e.data.event_id);
  if (e.event === "stream.chunk" && responses.has(e.data.event_id)) chunks += 1;
  return chunks >= dropAfter;
});
const connections = [{ lastEventId: null, ...first }];
if (first.end === "dropped") {
  for (;;) {
    const s = await json(`/api/v1/sessions/${id}`);
    if (["completed", "failed", "cancelled", "timed_out"].includes(s.status)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seen = first.events.filter((e) => e.id !== null).map((e) => e.id);
  const lastEventId = Math.max(0, seen[seen.length - 1] - overlap);
  connections.push({ lastEventId, ...(await read(id, { "Last-Event-ID": String(lastEventId) }, () => false)) });
}
const final = await json(`/api/v1/sessions/${id}`);
const finalTimeline = await json(`/api/v1/sessions/${id}/timeline`);
await writeFile(out, JSON.stringify({ session, timeline, connections, final, finalTimeline }, null, 1) + "\n");
console.log(
  `${out}: ${connections.map((c) => `${c.events.length} events (${c.end})`).join(" + ")}, session ${final.status}`,
);
