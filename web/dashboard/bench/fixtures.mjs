// Synthetic API for the benchmark (and for looking at pages whose endpoints a server lacks):
// 10,000 sessions paged/sorted/filtered like the real API, a session with 2,000 timeline events,
// plus trace, chat and system answers. Deterministic (seeded), so runs compare.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALERT_TYPES = [
  "kubernetes",
  "PodCrashLooping",
  "HighLatency",
  "DiskPressure",
  "NodeNotReady",
  "CertificateExpiry",
];
const CHAINS = {
  kubernetes: "kubernetes",
  PodCrashLooping: "pod-crash",
  HighLatency: "latency",
  DiskPressure: "kubernetes",
  NodeNotReady: "kubernetes",
  CertificateExpiry: "certs",
};
const AUTHORS = ["alertmanager", "alice@example.com", "bob@example.com", "api-client"];
const STATUSES = ["completed", "completed", "completed", "completed", "failed", "cancelled", "timed_out"];
const T0 = Date.parse("2026-11-20T12:00:00Z");
const iso = (ms) => new Date(ms).toISOString();

export function makeSessions(n = 10_000) {
  const r = rng(7);
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const type = ALERT_TYPES[Math.floor(r() * ALERT_TYPES.length)];
    const created = T0 - Math.floor(r() * 30 * 86_400_000);
    const duration = 20_000 + Math.floor(r() * 400_000);
    const status = STATUSES[Math.floor(r() * STATUSES.length)];
    const input = 2000 + Math.floor(r() * 90_000);
    const output = 300 + Math.floor(r() * 8000);
    out.push({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      alert_type: type,
      chain_id: CHAINS[type],
      status,
      author: AUTHORS[Math.floor(r() * AUTHORS.length)],
      created_at: iso(created),
      started_at: iso(created + 400),
      completed_at: iso(created + 400 + duration),
      duration_ms: duration,
      executive_summary:
        status === "completed"
          ? `pod-${i} in ns-${i % 17} was OOMKilled after a config change raised the cache size; raise the limit or shrink the cache.`
          : null,
      error_message: status === "failed" ? "KubernetesAgent failed: tool server unreachable" : null,
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      stage_count: 1 + (i % 4),
      matched_in_timeline: false,
    });
  }
  return out;
}

const SORT = {
  created_at: (s) => s.created_at,
  status: (s) => s.status,
  alert_type: (s) => s.alert_type,
  author: (s) => s.author,
  duration: (s) => s.duration_ms ?? 0,
};

export function listSessions(all, q) {
  const statuses = (q.get("status") ?? "").split(",").filter(Boolean);
  const search = (q.get("search") ?? "").toLowerCase();
  let items = all.filter(
    (s) =>
      (!statuses.length || statuses.includes(s.status)) &&
      (!q.get("alert_type") || s.alert_type === q.get("alert_type")) &&
      (!q.get("chain_id") || s.chain_id === q.get("chain_id")) &&
      (!q.get("author") || s.author === q.get("author")) &&
      (!q.get("start_date") || s.created_at >= q.get("start_date")) &&
      (!q.get("end_date") || s.created_at <= `${q.get("end_date")}T23:59:59Z`) &&
      (!search ||
        s.alert_type.toLowerCase().includes(search) ||
        (s.executive_summary ?? "").toLowerCase().includes(search)),
  );
  const key = SORT[q.get("sort_by") ?? "created_at"] ?? SORT.created_at;
  const dir = q.get("sort_order") === "asc" ? 1 : -1;
  items = [...items].sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : 0));
  const page = Math.max(1, Number(q.get("page") ?? "1"));
  const size = Math.min(100, Math.max(1, Number(q.get("page_size") ?? "25")));
  return { items: items.slice((page - 1) * size, page * size), total: items.length, page, page_size: size };
}

export function makeActive() {
  const now = Date.now();
  const base = (i, status) => ({
    ...makeSessions(1)[0],
    id: `11111111-0000-4000-8000-${String(i).padStart(12, "0")}`,
    status,
    alert_type: ALERT_TYPES[i % ALERT_TYPES.length],
    created_at: iso(now - 60_000 * (i + 1)),
    started_at: status === "pending" ? null : iso(now - 50_000 * (i + 1)),
    completed_at: null,
    duration_ms: null,
    executive_summary: null,
  });
  return {
    active: [base(0, "in_progress"), base(1, "in_progress"), base(2, "cancelling")],
    queued: [
      { ...base(3, "pending"), queue_position: 1 },
      { ...base(4, "pending"), queue_position: 2 },
    ],
  };
}

const LOREM =
  "The pod restarts because the container exceeds its memory limit during cache warm-up. **Evidence**: `Last State: OOMKilled`, exit code 137, and the previous logs end abruptly. ";

/** A finished session with `n` timeline events over 10 stages; stage 2 runs three agents in parallel. */
export function makeBigSession(id, n = 2000) {
  const r = rng(11);
  const stages = [];
  const events = [];
  const stageCount = 10;
  let seq = 0;
  const at = (k) => iso(T0 + k * 1000);
  for (let si = 0; si < stageCount; si += 1) {
    const parallel = si === 2;
    const synthesis = si === 3;
    const executions = (
      parallel ? ["KubernetesAgent", "LogAgent", "MetricsAgent"] : [synthesis ? "SynthesisAgent" : "KubernetesAgent"]
    ).map((name, ai) => ({
      id: `exec-${si}-${ai}`,
      agent_name: name,
      agent_index: ai,
      strategy: "native-thinking",
      llm_provider: "google-default",
      model: "gemini-2.5-pro",
      status: "completed",
      started_at: at(si * 100),
      completed_at: at(si * 100 + 90),
      error_message: null,
    }));
    stages.push({
      id: `stage-${si}`,
      stage_index: si,
      name: synthesis ? "collect - Synthesis" : si === 2 ? "collect" : `stage ${si + 1}`,
      stage_type: synthesis ? "synthesis" : "investigation",
      parallel_type: parallel ? "multi_agent" : "single",
      expected_agents: executions.length,
      success_policy: "any",
      referenced_stage_id: synthesis ? "stage-2" : null,
      status: "completed",
      started_at: at(si * 100),
      completed_at: at(si * 100 + 95),
      error_message: null,
      executions,
    });
    const perStage = Math.floor(n / stageCount);
    for (let k = 0; k < perStage; k += 1) {
      const exec = executions[k % executions.length];
      const kind = k % 4;
      seq += 1;
      const base = {
        id: `ev-${seq}`,
        sequence: seq,
        stage_id: `stage-${si}`,
        execution_id: exec.id,
        status: "completed",
        created_at: at(si * 100 + k / 10),
        updated_at: at(si * 100 + k / 10),
      };
      if (kind === 0)
        events.push({
          ...base,
          event_type: "llm_thinking",
          content: `Thinking step ${seq}: ${LOREM.slice(0, 80 + Math.floor(r() * 120))}`,
          metadata: {},
        });
      else if (kind === 1)
        events.push({
          ...base,
          event_type: "llm_tool_call",
          content: Array.from(
            { length: 3 + Math.floor(r() * 20) },
            (_, l) => `pod-${l}   1/1   Running   ${Math.floor(r() * 9)}   ${l}h`,
          ).join("\n"),
          metadata: {
            tool: "kubernetes-server.pods_list",
            arguments: { namespace: `ns-${seq % 7}` },
            is_error: r() < 0.05,
            summarized: false,
          },
        });
      else if (kind === 2)
        events.push({
          ...base,
          event_type: "llm_response",
          content: `### Finding ${seq}\n\n${LOREM.repeat(1 + Math.floor(r() * 3))}\n\n- item one\n- item two`,
          metadata: {},
        });
      else
        events.push({
          ...base,
          event_type: "mcp_tool_summary",
          content: `Summary ${seq}: **3 of 12 pods** are crash-looping.`,
          metadata: { tool: "kubernetes-server.pods_list" },
        });
    }
  }
  seq += 1;
  events.push({
    id: `ev-${seq}`,
    sequence: seq,
    stage_id: null,
    execution_id: null,
    event_type: "final_analysis",
    status: "completed",
    content: `## Root cause\n\n${LOREM}`,
    metadata: {},
    created_at: at(1000),
    updated_at: at(1000),
  });
  const detail = {
    id,
    alert_type: "PodCrashLooping",
    chain_id: "pod-crash",
    status: "completed",
    alert_data: { alertname: "PodCrashLooping", namespace: "prod", pod: "checkout-7d9f", severity: "critical" },
    runbook_url: "https://example.com/runbooks/pod-crash.md",
    author: "alertmanager",
    final_analysis: `## Root cause\n\n${LOREM}`,
    executive_summary: "checkout-7d9f in prod is OOMKilled during cache warm-up; raise the memory limit to 3Gi.",
    error_message: null,
    created_at: at(0),
    started_at: at(0),
    completed_at: at(1000),
    duration_ms: 1_000_000,
    stages,
  };
  return { detail, events };
}

export function makeTrace(big) {
  return {
    session_id: big.detail.id,
    stages: big.detail.stages.map((s) => ({
      stage_id: s.id,
      stage_index: s.stage_index,
      name: s.name,
      stage_type: s.stage_type,
      executions: s.executions.map((e) => ({
        execution_id: e.id,
        agent_name: e.agent_name,
        agent_index: e.agent_index,
        interactions: [
          {
            id: `llm-${e.id}-1`,
            kind: "llm",
            created_at: s.started_at,
            interaction_type: "iteration",
            provider: "google",
            model: e.model,
            input_tokens: 5400,
            output_tokens: 420,
            duration_ms: 3100,
            error: null,
          },
          {
            id: `mcp-${e.id}-1`,
            kind: "mcp",
            created_at: s.started_at,
            interaction_type: "tool_call",
            server: "kubernetes-server",
            tool: "pods_list",
            duration_ms: 180,
            is_error: false,
          },
          {
            id: `llm-${e.id}-2`,
            kind: "llm",
            created_at: s.started_at,
            interaction_type: "final",
            provider: "google",
            model: e.model,
            input_tokens: 6100,
            output_tokens: 900,
            duration_ms: 5200,
            error: null,
          },
        ],
      })),
    })),
    session_interactions: [],
  };
}

export function llmDetail(id) {
  return {
    id,
    kind: "llm",
    interaction_type: "iteration",
    provider: "google",
    model: "gemini-2.5-pro",
    input_tokens: 5400,
    output_tokens: 420,
    duration_ms: 3100,
    messages: [
      { role: "system", content: "You are KubernetesAgent, an agent of TARSy. Investigate the alert..." },
      { role: "user", content: "Alert: PodCrashLooping in prod (pod checkout-7d9f)." },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "c1", name: "kubernetes-server__pods_list", arguments: { namespace: "prod" } }],
      },
      { role: "tool", content: "checkout-7d9f 0/1 CrashLoopBackOff 12", tool_call_id: "c1" },
    ],
    response: { role: "assistant", content: "The pod is OOMKilled.", tool_calls: [] },
    tools: ["kubernetes-server.pods_list", "kubernetes-server.pods_log", "kubernetes-server.events_list"],
    thinking: "Check the pod status first, then logs.",
  };
}

export function mcpDetail(id) {
  return {
    id,
    server: "kubernetes-server",
    tool: "pods_list",
    arguments: { namespace: "prod" },
    result: "NAME READY STATUS RESTARTS\ncheckout-7d9f 0/1 CrashLoopBackOff 12",
    is_error: false,
    error: null,
    available_tools: ["pods_list", "pods_get", "pods_log", "events_list"],
    duration_ms: 180,
  };
}

export const SYSTEM = {
  health: {
    status: "healthy",
    mode: "demo",
    checks: {
      database: { status: "ok" },
      queue: { pending: 2, active: 3, oldest_pending_s: 12.5 },
      workers: { status: "ok", count: 5, busy: 3 },
    },
  },
  warnings: [
    {
      id: "w1",
      category: "mcp",
      message: "MCP server prometheus failed to start: connection refused",
      server: "prometheus",
      created_at: iso(T0),
    },
  ],
  mcpServers: [
    {
      id: "kubernetes-server",
      status: "healthy",
      last_error: null,
      last_checked: iso(Date.now() - 30_000),
      tools: [
        { name: "pods_list", description: "List pods in a namespace" },
        { name: "pods_log", description: "Logs of a pod's container" },
        { name: "events_list", description: "Events in a namespace" },
      ],
    },
    {
      id: "prometheus",
      status: "unhealthy",
      last_error: "connection refused",
      last_checked: iso(Date.now() - 60_000),
      tools: [],
    },
  ],
  queue: { pending: 2, active: 3, workers_total: 5, workers_busy: 3, oldest_pending_s: 12.5 },
  alertTypes: { alert_types: ALERT_TYPES, default: "kubernetes" },
  filterOptions: {
    statuses: ["pending", "in_progress", "cancelling", "completed", "failed", "cancelled", "timed_out"],
    alert_types: ALERT_TYPES,
    chains: [...new Set(Object.values(CHAINS))],
    authors: AUTHORS,
  },
};

export function chatHistory() {
  return {
    chat_id: "chat-1",
    messages: [
      {
        message_id: "m1",
        author: "alice@example.com",
        content: "Which deployment change raised the cache size?",
        created_at: iso(T0 + 2_000_000),
        stage_id: null,
        status: "completed",
        answer:
          "Revision 42 of `deploy/checkout` set `CACHE_SIZE=2Gi` (rolled out 40 minutes before the first restart).",
      },
    ],
  };
}

/**
 * Route every request of a playwright page: the API from these fixtures, everything else from the
 * built dashboard in `dist`. `sse` optionally answers a session's event stream with a body.
 */
export async function routeFixtures(page, { dist, sessions, big, sse }) {
  const { readFile } = await import("node:fs/promises");
  const { extname, join } = await import("node:path");
  const types = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".map": "application/json",
  };
  const json = (route, body, status = 200) =>
    route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  await page.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    const p = url.pathname;
    if (p === "/health") return json(route, SYSTEM.health);
    if (p.startsWith("/api/")) {
      const m = p.match(/^\/api\/v1\/sessions\/([^/]+)(\/.*)?$/);
      if (p === "/api/v1/sessions") return json(route, listSessions(sessions, url.searchParams));
      if (p === "/api/v1/sessions/active") return json(route, makeActive());
      if (p === "/api/v1/sessions/filter-options") return json(route, SYSTEM.filterOptions);
      if (p === "/api/v1/sessions/events")
        return json(route, { error: { code: "not_found", message: "no list stream in the bench" } }, 404);
      if (p === "/api/v1/alert-types") return json(route, SYSTEM.alertTypes);
      if (p === "/api/v1/system/warnings") return json(route, SYSTEM.warnings);
      if (p === "/api/v1/system/mcp-servers") return json(route, SYSTEM.mcpServers);
      if (p === "/api/v1/system/queue") return json(route, SYSTEM.queue);
      if (m && m[1] === big.detail.id) {
        const rest = m[2] ?? "";
        if (rest === "") return json(route, big.detail);
        if (rest === "/timeline") return json(route, sse ? [] : big.events);
        if (rest === "/summary")
          return json(route, {
            input_tokens: 812_000,
            output_tokens: 64_000,
            total_tokens: 876_000,
            duration_ms: 1_000_000,
            stages: [],
          });
        if (rest === "/events")
          return sse
            ? route.fulfill({ status: 200, contentType: "text/event-stream", body: sse })
            : json(route, { error: { code: "not_found", message: "finished" } }, 404);
        if (rest === "/trace") return json(route, makeTrace(big));
        if (rest.startsWith("/trace/llm/")) return json(route, llmDetail(rest.split("/").pop()));
        if (rest.startsWith("/trace/mcp/")) return json(route, mcpDetail(rest.split("/").pop()));
        if (rest === "/chat") return json(route, chatHistory());
      }
      return json(route, { error: { code: "not_found", message: `${p} not in the fixtures` } }, 404);
    }
    const file = p === "/" || !extname(p) ? "index.html" : p.slice(1);
    try {
      const body = await readFile(join(dist, file));
      return route.fulfill({ status: 200, contentType: types[extname(file)] ?? "application/octet-stream", body });
    } catch {
      return route.fulfill({ status: 404, body: "not found" });
    }
  });
}

/** The big session's events as an SSE replay (created + completed per event, 3 deltas for responses). */
export function replayStream(big) {
  const lines = [];
  let id = 0;
  const send = (event, data, withId = true) => {
    if (withId) id += 1;
    lines.push(
      `${withId ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify({ type: event, session_id: big.detail.id, ...data })}\n\n`,
    );
  };
  send("session.status", { status: "in_progress" });
  for (const e of big.events) {
    const base = {
      event_id: e.id,
      sequence: e.sequence,
      stage_id: e.stage_id,
      execution_id: e.execution_id,
      event_type: e.event_type,
      metadata: e.metadata,
      timestamp: e.created_at,
    };
    send("timeline_event.created", { ...base, status: "streaming", content: "" });
    if (e.event_type === "llm_response") {
      const third = Math.ceil(e.content.length / 3);
      for (let i = 0; i < 3; i += 1)
        send(
          "stream.chunk",
          { event_id: e.id, delta: e.content.slice(i * third, (i + 1) * third), timestamp: e.created_at },
          false,
        );
    }
    send("timeline_event.completed", { ...base, status: "completed", content: e.content });
  }
  send("session.status", { status: "completed" });
  return lines.join("");
}
