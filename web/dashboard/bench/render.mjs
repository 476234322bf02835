#!/usr/bin/env node
// Rendering benchmark of the dashboard in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core). The API is served from synthetic fixtures by intercepting requests
// (page.route), the app from the built dist/ (run `npm run build` first).
//
//   node bench/render.mjs [--runs=3] [--json=bench/results/latest.json]
//
// Scenarios: the session list over 10,000 sessions (paged on the server), a session detail with
// 2,000 timeline events (virtualized), and the same 2,000 events arriving as an SSE replay.
// Figures per scenario (median of runs): first render (the first row in the DOM, ms since
// navigation), interactive (first render and the main thread quiet: end of the last long task
// before 1 s without any), total blocking time after first paint, an interaction, and scrolling the timeline.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { makeBigSession, makeSessions, replayStream, routeFixtures } from "./fixtures.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, "../dist");
const flags = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const RUNS = Number(flags.runs ?? "3");
if (!existsSync(join(dist, "index.html"))) {
  console.error("bench: dist/ is missing; run `npm run build` first");
  process.exit(2);
}

const sessions = makeSessions(10_000);
const big = makeBigSession("22222222-0000-4000-8000-000000000001", 2000);
const running = {
  ...big,
  detail: {
    ...big.detail,
    id: "33333333-0000-4000-8000-000000000001",
    status: "in_progress",
    completed_at: null,
    duration_ms: null,
    final_analysis: null,
    executive_summary: null,
  },
};
const replay = replayStream(running);

// Injected before any page script: long tasks, paints and the first time a selector appears.
const INSTRUMENT = `
  window.__bench = { longTasks: [], seen: {}, watch: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  const check = () => {
    for (const sel of window.__bench.watch) {
      if (window.__bench.seen[sel] === undefined && document.querySelector(sel)) window.__bench.seen[sel] = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
`;

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "tarsy-bench-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
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
  return { context, profile };
}

async function measure({ path, ready, sse, interact }) {
  const { context, profile } = await launch();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(`${INSTRUMENT}; window.__bench.watch.push(${JSON.stringify(ready)});`);
    await routeFixtures(page, { dist, sessions, big: sse ? running : big, sse });
    await page.goto(`http://bench.local${path}`);
    await page.waitForSelector(ready, { timeout: 60_000 });
    // Interactive: wait for 1 s without a long task (at most 20 s).
    await page.waitForFunction(
      () => {
        const tasks = window.__bench.longTasks;
        const last = tasks.length ? tasks[tasks.length - 1][0] + tasks[tasks.length - 1][1] : 0;
        return performance.now() - Math.max(last, window.__bench.seen[Object.keys(window.__bench.seen)[0]] ?? 0) > 1000;
      },
      null,
      { timeout: 20_000, polling: 100 },
    );
    const figures = await page.evaluate((sel) => {
      const b = window.__bench;
      const first = b.seen[sel];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null;
      const lastEnd = b.longTasks.reduce((m, [s, d]) => Math.max(m, s + d), 0);
      const tbt = b.longTasks
        .filter(([s]) => fcp === null || s >= fcp)
        .reduce((t, [, d]) => t + Math.max(0, d - 50), 0);
      return { fcp, firstRender: first, interactive: Math.max(first, lastEnd), tbt, longTasks: b.longTasks.length };
    }, ready);
    if (interact) Object.assign(figures, await interact(page));
    return figures;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Click the next page and time until a different first row is rendered. */
async function nextPage(page) {
  const ms = await page.evaluate(async () => {
    const firstRow = () => document.querySelector('[data-testid="session-row"]')?.textContent ?? "";
    const before = firstRow();
    const button = document.querySelector('button[aria-label="Go to next page"]');
    const t0 = performance.now();
    button.click();
    await new Promise((resolve) => {
      const tick = () =>
        firstRow() !== before && !document.querySelector(".MuiLinearProgress-root")
          ? resolve()
          : requestAnimationFrame(tick);
      tick();
    });
    return performance.now() - t0;
  });
  const rows = await page.locator('[data-testid="session-row"]').count();
  return { nextPageMs: ms, rowsInDom: rows };
}

/** Scroll the window down the timeline, 400 px per frame (up to 600 frames); frame times and DOM size. */
async function scrollTimeline(page) {
  return page.evaluate(async () => {
    const frames = [];
    let last = performance.now();
    const step = 400;
    const maxFrames = 600;
    await new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        frames.push(now - last);
        last = now;
        const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
        if (atEnd || frames.length >= maxFrames) return resolve();
        window.scrollBy(0, step);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    frames.shift();
    const sorted = [...frames].sort((a, b) => a - b);
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    return {
      scrollFrames: frames.length,
      scrollFps: 1000 / mean,
      scrollP95FrameMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
      scrollFramesOver50ms: frames.filter((f) => f > 50).length,
      eventsInDom: document.querySelectorAll('[data-testid="timeline-event"]').length,
    };
  });
}

async function replayDone(page) {
  const t0 = await page.evaluate(() => window.__bench.seen['[data-testid="timeline-event"]']);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="session-header"] [data-status="completed"]'),
    null,
    { timeout: 60_000 },
  );
  const t1 = await page.evaluate(() => performance.now());
  const count = await page.evaluate(
    () => document.querySelector('[data-testid="timeline"]')?.parentElement?.textContent?.match(/(\d+) events/)?.[1],
  );
  return { replayAppliedMs: t1 - t0, eventsInCache: Number(count) };
}

const scenarios = [
  {
    name: "session list (10,000 sessions, 25 per page)",
    path: "/",
    ready: '[data-testid="session-row"]',
    interact: nextPage,
  },
  {
    name: "session detail (2,000 timeline events)",
    path: `/sessions/${big.detail.id}`,
    ready: '[data-testid="timeline-event"]',
    interact: scrollTimeline,
  },
  {
    name: "session detail, 2,000 events replayed over SSE",
    path: `/sessions/${running.detail.id}`,
    ready: '[data-testid="timeline-event"]',
    sse: replay,
    interact: replayDone,
  },
];

const median = (xs) => {
  const s = [...xs].filter((x) => typeof x === "number").sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
const fmt = (v, unit = " ms") => (v === null || v === undefined ? "—" : `${Math.round(v * 10) / 10}${unit}`);

const report = [];
console.log(`TARSy dashboard render benchmark: Chromium headless, 1280×800, ${RUNS} runs each (median)\n`);
for (const scenario of scenarios) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await measure(scenario));
  const keys = Object.keys(runs[0]);
  const med = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
  report.push({ scenario: scenario.name, median: med, runs });
  console.log(scenario.name);
  console.log(`  first contentful paint  ${fmt(med.fcp)}`);
  console.log(`  first render            ${fmt(med.firstRender)}`);
  console.log(
    `  interactive             ${fmt(med.interactive)}   (total blocking time ${fmt(med.tbt)}, ${med.longTasks} long tasks)`,
  );
  if (med.nextPageMs !== undefined)
    console.log(`  next page (server)      ${fmt(med.nextPageMs)}   (${med.rowsInDom} rows in the DOM)`);
  if (med.scrollFps !== undefined)
    console.log(
      `  scrolling 400 px/frame  ${fmt(med.scrollFps, " fps")} mean, p95 frame ${fmt(med.scrollP95FrameMs)}, ${med.scrollFramesOver50ms} frames > 50 ms over ${med.scrollFrames}; ${med.eventsInDom} of 2001 events in the DOM`,
    );
  if (med.replayAppliedMs !== undefined)
    console.log(`  replay applied          ${fmt(med.replayAppliedMs)}   (${med.eventsInCache} events in the cache)`);
  console.log("");
}
if (flags.json) {
  mkdirSync(dirname(resolve(flags.json)), { recursive: true });
  writeFileSync(resolve(flags.json), JSON.stringify(report, null, 2));
}
