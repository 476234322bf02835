#!/usr/bin/env node
// Browser tests of the TARSy dashboard in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; never `playwright install`), against a running TARSy in demo or
// scripted mode:
//
//   TARSY_URL=http://127.0.0.1:8080 node tests/browser/run.mjs
//
// It submits an alert from the form, watches it stream to completion, opens the trace, asks a chat
// question and waits for the answer, checks that a remote markdown image in an answer is never
// requested, filters the session list, and saves a screenshot of each page
// (desktop 1280×800 and phone width) into test-artifacts/screenshots/. Endpoints the server does not
// have yet are reported as MISSING (failures, or skips with TARSY_ALLOW_MISSING=1).
// Env: TARSY_URL, CHROMIUM (default /usr/bin/chromium), TARSY_ARTIFACTS (screenshot dir),
// TARSY_TIMEOUT_S (per wait, default 120), TARSY_ALLOW_MISSING=1, TARSY_HEADFUL=1.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest, createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const require = createRequire(join(repo, "web/dashboard/package.json"));
const { chromium } = require("playwright-core");

const BASE = (process.env.TARSY_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = resolve(process.env.TARSY_ARTIFACTS ?? join(repo, "test-artifacts/screenshots"));
const WAIT = Number(process.env.TARSY_TIMEOUT_S ?? "120") * 1000;
const ALLOW_MISSING = process.env.TARSY_ALLOW_MISSING === "1";

const results = [];
const missing = new Set();

class Missing extends Error {}

function log(line) {
  process.stdout.write(`${line}\n`);
}

async function check(name, fn) {
  const started = Date.now();
  try {
    const note = await fn();
    results.push({ name, outcome: "passed", note });
    log(`ok    ${name} (${Date.now() - started} ms)${note ? `: ${note}` : ""}`);
  } catch (error) {
    if (error instanceof Missing) {
      const outcome = ALLOW_MISSING ? "skipped" : "failed";
      results.push({ name, outcome, note: error.message });
      log(`${outcome === "skipped" ? "skip " : "FAIL "} ${name}: MISSING ENDPOINT ${error.message}`);
    } else {
      results.push({ name, outcome: "failed", note: error.message });
      log(`FAIL  ${name}: ${error.message.split("\n")[0]}`);
    }
  }
}

/** Is a JSON endpoint there? The SPA fallback answers unknown paths with index.html. */
async function probe(path, { sse = false } = {}) {
  const controller = new AbortController();
  try {
    const res = await fetch(BASE + path, {
      signal: controller.signal,
      headers: { Accept: sse ? "text/event-stream" : "application/json" },
    });
    const type = res.headers.get("content-type") ?? "";
    controller.abort();
    if (res.status === 404 || res.status === 405) return false;
    return sse ? type.includes("text/event-stream") : type.includes("json");
  } catch (error) {
    if (error.name === "AbortError") return true;
    throw error;
  }
}

async function requireEndpoint(label, path, options) {
  if (!(await probe(path, options))) {
    missing.add(label);
    throw new Missing(label);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/**
 * A loopback HTTP proxy in front of TARSy that can cut its open event streams, as a flaky network
 * or a restarting ingress would. It records the Last-Event-ID each stream request carried.
 */
async function startDropProxy(target) {
  const streams = new Set();
  const seen = [];
  const server = createServer((req, res) => {
    const upstream = new URL(req.url, target);
    const isStream = upstream.pathname.endsWith("/events");
    if (isStream)
      seen.push({
        path: upstream.pathname + upstream.search,
        lastEventId: req.headers["last-event-id"] ?? null,
      });
    const proxied = httpRequest(
      upstream,
      { method: req.method, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    proxied.on("error", () => res.destroy());
    req.pipe(proxied);
    if (isStream) {
      streams.add(res);
      res.on("close", () => streams.delete(res));
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    seen,
    open: () => streams.size,
    drop: () => {
      for (const res of streams) res.socket?.destroy();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const profile = mkdtempSync(join(tmpdir(), "tarsy-browser-"));
mkdirSync(SHOTS, { recursive: true });

let health;
try {
  health = await (await fetch(`${BASE}/health`)).json();
} catch (error) {
  log(`FAIL  TARSy is not reachable at ${BASE} (${error.message}); start it first (make run).`);
  log("0 passed, 1 failed");
  process.exit(1);
}
log(`TARSy at ${BASE}: ${health.status}, mode ${health.mode}`);

const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: process.env.TARSY_HEADFUL !== "1",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 800 },
});
context.setDefaultTimeout(WAIT);
const page = context.pages()[0] ?? (await context.newPage());
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(e.message));

let sessionUrl = null;

try {
  await check("dashboard is served at /", async () => {
    const res = await page.goto(`${BASE}/`);
    if (!res || !res.ok())
      throw new Error(`GET / answered ${res?.status()}; is TARSY_DASHBOARD_DIR set and the dashboard built?`);
    await page.getByRole("heading", { name: "History" }).waitFor();
  });

  await check("submit an alert from the form", async () => {
    await page.goto(`${BASE}/submit`);
    const form = page.getByTestId("alert-form");
    await form.waitFor();
    await page.getByTestId("alert-type").locator("xpath=..").click();
    const options = page.getByRole("option");
    await options.first().waitFor();
    const labels = await options.allTextContents();
    await page.keyboard.press("Escape");
    await page.getByLabel("alert data").fill(
      JSON.stringify(
        {
          alertname: "PodCrashLooping",
          namespace: "prod",
          pod: "checkout-7d9f",
          note: "browser test",
        },
        null,
        2,
      ),
    );
    // MCP selection from the live server list: the first server, all of its tools.
    let mcpNote = "no MCP server list";
    const servers = page.getByTestId("mcp-servers");
    if (await probe("/api/v1/system/mcp-servers")) {
      await servers.waitFor();
      await servers.getByRole("checkbox").first().check();
      mcpNote = "MCP: first server, all tools";
    }
    await shot(page, "submit-form");
    const posted = page.waitForRequest((r) => r.url().endsWith("/api/v1/alerts") && r.method() === "POST");
    await page.getByTestId("submit-alert").click();
    const body = JSON.parse((await posted).postData() ?? "{}");
    if (mcpNote.startsWith("MCP") && !(body.mcp?.servers?.length === 1 && body.mcp.servers[0].tools === null)) {
      throw new Error(`the form sent no MCP selection: ${JSON.stringify(body)}`);
    }
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    sessionUrl = page.url();
    return `alert types offered: ${labels.join(", ")}; ${mcpNote}; session ${sessionUrl.split("/").pop()}`;
  });

  await check("watch the session stream to completion", async () => {
    if (!sessionUrl) throw new Error("no session (submit failed)");
    const header = page.getByTestId("session-header");
    await header.waitFor();
    // Live: an event streams (thinking or response) or the first events appear while running.
    // A session that is only ever shown replayed (no live stream) is a failure, not a note.
    try {
      await page
        .locator('[data-testid="timeline-event"][data-status="streaming"]')
        .first()
        .waitFor({ timeout: 30_000 });
      await shot(page, "session-streaming");
    } catch {
      await shot(page, "session-streaming");
      throw new Error("no timeline event streamed live within 30 s: the session's live stream is missing");
    }
    await header
      .locator(
        '[data-status="completed"], [data-status="failed"], [data-status="timed_out"], [data-status="cancelled"]',
      )
      .first()
      .waitFor();
    const status = await header.locator("[data-status]").first().getAttribute("data-status");
    if (status !== "completed") throw new Error(`session ended ${status}`);
    await page.getByTestId("analysis").waitFor();
    const responses = await page.locator('[data-testid="timeline-event"][data-event-type="llm_response"]').count();
    if (responses === 0) throw new Error("no llm_response in the timeline");
    const ids = await page.locator('[data-testid="timeline-event"]').evaluateAll((els) => els.map((e) => e.id));
    if (new Set(ids).size !== ids.length) throw new Error("duplicate timeline events rendered");
    const indicator = await page.getByTestId("connection-indicator").getAttribute("data-state");
    await shot(page, "session-completed");
    return `saw streaming events; ${responses} responses; indicator ${indicator}`;
  });

  await check("open the trace", async () => {
    if (!sessionUrl) throw new Error("no session");
    const id = sessionUrl.split("/").pop();
    await page.goto(sessionUrl);
    await page.getByRole("link", { name: "Trace" }).click();
    await page.waitForURL(/\/trace/);
    await requireEndpoint("GET /api/v1/sessions/{id}/trace", `/api/v1/sessions/${id}/trace`);
    const first = page.getByTestId("trace-interaction").first();
    await first.waitFor();
    const count = await page.getByTestId("trace-interaction").count();
    await first.click();
    const kind = await first.getAttribute("data-kind");
    if (kind === "llm")
      await requireEndpoint(
        "GET /api/v1/sessions/{id}/trace/llm/{iid}",
        `/api/v1/sessions/${id}/trace/llm/${new URL(page.url()).searchParams.get("interaction").split(":")[1]}`,
      );
    await page.locator('[data-testid="llm-detail"], [data-testid="mcp-detail"]').first().waitFor();
    await shot(page, "trace");
    return `${count} interactions`;
  });

  await check("ask a chat question and see the answer", async () => {
    if (!sessionUrl) throw new Error("no session");
    const id = sessionUrl.split("/").pop();
    await requireEndpoint("GET /api/v1/sessions/{id}/chat", `/api/v1/sessions/${id}/chat`);
    await page.goto(sessionUrl);
    const panel = page.getByTestId("chat-panel");
    await panel.waitFor();
    const question = "What should I check first to confirm the root cause?";
    await panel.getByLabel("chat question").fill(question);
    await panel.getByRole("button", { name: "Send" }).click();
    const message = panel.getByTestId("chat-message").filter({ hasText: question });
    await message.waitFor();
    await shot(page, "chat-asking");
    await message
      .locator(
        'xpath=self::*[@data-status="completed" or @data-status="failed" or @data-status="cancelled" or @data-status="timed_out"]',
      )
      .waitFor();
    const status = await message.getAttribute("data-status");
    const answer = (await message.getByTestId("chat-answer").innerText()).trim();
    await message.scrollIntoViewIfNeeded();
    await shot(page, "chat-answered");
    if (status !== "completed") throw new Error(`chat answer ended ${status}: ${answer}`);
    if (!answer) throw new Error("empty answer");
    return `answer: ${answer.slice(0, 60).replace(/\s+/g, " ")}…`;
  });

  await check("a markdown image from another host is never requested", async () => {
    if (!sessionUrl) throw new Error("no session");
    // Another origin on loopback (this test's own server) counts every request it gets.
    const hits = [];
    const bait = createServer((req, res) => {
      hits.push(req.url);
      res.writeHead(200, { "content-type": "image/png" });
      res.end();
    });
    await new Promise((done) => bait.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${bait.address().port}`;
    try {
      await page.goto(sessionUrl);
      const panel = page.getByTestId("chat-panel");
      await panel.waitFor();
      // The demo model's "Quote back:" turn repeats what follows it, so the answer carries the image.
      const question = `Quote back: ![status pixel](${origin}/pixel.png?leak=secret) and ![b](//127.0.0.1:${bait.address().port}/b.png)`;
      await panel.getByLabel("chat question").fill(question);
      await panel.getByRole("button", { name: "Send" }).click();
      const message = panel.getByTestId("chat-message").filter({ hasText: "Quote back:" });
      await message.locator('xpath=self::*[@data-status="completed" or @data-status="failed"]').waitFor();
      if ((await message.getAttribute("data-status")) !== "completed") throw new Error("the chat answer failed");
      const shown = message.getByTestId("chat-answer").getByTestId("remote-image");
      await shown.first().waitFor();
      const images = await page.locator("img").evaluateAll((els) => els.map((e) => e.getAttribute("src")));
      // Give a stray load (a timeline copy, a reload) time to arrive before counting.
      await page.reload();
      await page.getByTestId("chat-panel").waitFor();
      await page.waitForTimeout(1500);
      if (hits.length) throw new Error(`the other host was requested: ${hits.join(", ")}`);
      const remote = images.filter((src) => src && !src.startsWith("/"));
      if (remote.length) throw new Error(`remote <img> rendered: ${remote.join(", ")}`);
      return `answer shows ${await shown.count()} image(s) as links; ${hits.length} requests to ${origin}`;
    } finally {
      await new Promise((done) => bait.close(done));
    }
  });

  await check("survive a dropped stream (reconnect with Last-Event-ID)", async () => {
    const proxy = await startDropProxy(BASE);
    try {
      const res = await fetch(`${BASE}/api/v1/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          data: {
            alertname: "DroppedStream",
            namespace: "prod",
            pod: "checkout-7d9f",
          },
        }),
      });
      if (!res.ok) throw new Error(`POST /api/v1/alerts answered ${res.status}`);
      const { session_id: id } = await res.json();
      await page.goto(`${proxy.url}/sessions/${id}`);
      await page.locator('[data-testid="timeline-event"]').first().waitFor();
      const deadline = Date.now() + 10_000;
      while (proxy.open() === 0 && Date.now() < deadline) await page.waitForTimeout(50);
      proxy.drop();
      await page.getByTestId("session-header").locator('[data-status="completed"]').waitFor();
      await page.waitForTimeout(500);
      const resumed = proxy.seen.filter((r) => r.lastEventId !== null);
      if (resumed.length === 0)
        throw new Error(`no reconnect carried Last-Event-ID (stream requests: ${JSON.stringify(proxy.seen)})`);
      const rest = await (await fetch(`${BASE}/api/v1/sessions/${id}/timeline`)).json();
      const shown = await page.evaluate(
        () =>
          document.querySelector('[data-testid="timeline"]')?.parentElement?.textContent?.match(/(\d+) events/)?.[1],
      );
      if (Number(shown) !== rest.length) throw new Error(`page holds ${shown} events, REST has ${rest.length}`);
      const ids = await page.locator('[data-testid="timeline-event"]').evaluateAll((els) => els.map((e) => e.id));
      if (new Set(ids).size !== ids.length) throw new Error("duplicate timeline events rendered");
      return `reconnected with Last-Event-ID ${resumed.map((r) => r.lastEventId).join(", ")}; ${rest.length} events, none lost or doubled`;
    } finally {
      await proxy.close();
    }
  });

  await check("filter the session list", async () => {
    await requireEndpoint("GET /api/v1/sessions", "/api/v1/sessions?page=1&page_size=5");
    await page.goto(`${BASE}/`);
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("status-filter-completed").click();
    await page.waitForURL(/status=completed/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute("data-status") === "completed");
    });
    const rows = await page.getByTestId("session-row").count();
    await page.getByLabel("search sessions").fill("checkout-7d9f");
    await page.waitForURL(/search=checkout-7d9f/);
    await page.waitForFunction(() => !document.querySelector(".MuiLinearProgress-root"));
    const matched = await page.getByTestId("session-row").count();
    if (matched === 0) throw new Error("search for the submitted pod found no session");
    // The view is in the URL: reloading keeps it.
    await page.reload();
    await page.getByTestId("session-row").first().waitFor();
    if (!(await page.getByTestId("status-filter-completed").getAttribute("aria-pressed"))?.includes("true")) {
      throw new Error("status filter lost on reload");
    }
    await shot(page, "sessions-filtered");
    return `${rows} completed rows; ${matched} match the search`;
  });

  await check("sessions page shows active/queued and history", async () => {
    await page.goto(`${BASE}/`);
    await requireEndpoint("GET /api/v1/sessions/active", "/api/v1/sessions/active");
    await page
      .locator('[data-testid="active-session"], [data-testid="queued-session"], [data-testid="no-active"]')
      .first()
      .waitFor();
    await shot(page, "sessions");
    const stream = await probe("/api/v1/sessions/events", { sse: true });
    if (!stream) {
      missing.add("GET /api/v1/sessions/events (SSE; the list polls instead)");
      throw new Missing("GET /api/v1/sessions/events: the session list has no live stream");
    }
    return "list stream live";
  });

  await check("system page", async () => {
    await page.goto(`${BASE}/system`);
    await page.getByTestId("system-queue").waitFor();
    await page.getByTestId("queue-figures").waitFor();
    const skills = page.getByTestId("system-skills");
    await skills.getByTestId("skill").or(skills.getByText(/^No skills\./)).first().waitFor();
    await shot(page, "system");
    const absent = [];
    for (const [label, path] of [
      ["GET /api/v1/system/mcp-servers", "/api/v1/system/mcp-servers"],
      ["GET /api/v1/system/warnings", "/api/v1/system/warnings"],
      ["GET /api/v1/system/skills", "/api/v1/system/skills"],
      ["GET /api/v1/system/queue", "/api/v1/system/queue"],
    ]) {
      if (!(await probe(path))) absent.push(label);
    }
    if (absent.length) {
      absent.forEach((a) => missing.add(a));
      throw new Missing(absent.join(", "));
    }
  });

  await check("phone width (390×844)", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/`);
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.waitForTimeout(500);
    await shot(page, "phone-sessions");
    if (sessionUrl) {
      await page.goto(sessionUrl);
      await page.getByTestId("session-header").waitFor();
      await page.waitForTimeout(500);
      await shot(page, "phone-session");
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 2) throw new Error(`page is ${overflow}px wider than the screen`);
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

// An uncaught JavaScript error on any page fails the run, whatever the checks above saw.
await check("no JavaScript errors on any page", async () => {
  if (pageErrors.length) throw new Error(`${pageErrors.length} page error(s): ${pageErrors.slice(0, 5).join(" | ")}`);
});
if (missing.size) log(`missing endpoints: ${[...missing].join("; ")}`);
log(`screenshots: ${SHOTS}`);
const count = (o) => results.filter((r) => r.outcome === o).length;
log(`${count("passed")} passed, ${count("failed")} failed, ${count("skipped")} skipped`);
process.exit(count("failed") > 0 ? 1 : 0);
