#!/usr/bin/env node
// Screenshots of every page over the synthetic fixtures (no TARSy needed), for looking at the UI:
//   node bench/preview.mjs [OUT_DIR]   (default test-artifacts/preview)
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { makeBigSession, makeSessions, routeFixtures } from "./fixtures.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "../test-artifacts/preview"));
mkdirSync(out, { recursive: true });
const sessions = makeSessions(10_000);
const big = makeBigSession("22222222-0000-4000-8000-000000000001", 2000);
const id = big.detail.id;
const pages = [
  ["sessions", "/", '[data-testid="session-row"]'],
  ["sessions-filtered", "/?status=failed&alert_type=HighLatency&sort_by=duration", '[data-testid="session-row"]'],
  ["session", `/sessions/${id}`, '[data-testid="timeline-event"]'],
  ["session-parallel", `/sessions/${id}?stage=stage-2&event=ev-402`, "#event-ev-402"],
  ["trace", `/sessions/${id}/trace?interaction=llm:llm-exec-2-1-1`, '[data-testid="llm-detail"]'],
  ["trace-mcp", `/sessions/${id}/trace?interaction=mcp:mcp-exec-0-0-1`, '[data-testid="mcp-detail"]'],
  ["submit", "/submit", '[data-testid="alert-form"]'],
  ["system", "/system", '[data-testid="mcp-server-list"]'],
];
const profile = mkdtempSync(join(tmpdir(), "tarsy-preview-"));
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
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await routeFixtures(page, { dist: resolve(here, "../dist"), sessions, big });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 500 ? 800 : 844 });
    for (const [name, path, ready] of pages) {
      await page.goto(`http://bench.local${path}`);
      await page.waitForSelector(ready, { timeout: 20_000 });
      await page.waitForTimeout(600);
      const file = join(out, `${name}${width < 500 ? "-phone" : ""}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    }
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
