// Fork and replay from the dashboard, in a real Chromium against a real TARSy in demo mode: an
// investigation runs to its end, "Fork from here" on its first stage starts a fork, the fork's page
// names its parent, and the side-by-side view shows both.
//
//   TARSY_URL=http://127.0.0.1:PORT node tests/browser/forks.mjs

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(join(repo, "web/dashboard/package.json"));
const { chromium } = require("playwright-core");

const BASE = (process.env.TARSY_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const WAIT = Number(process.env.TARSY_TIMEOUT_S ?? "120") * 1000;
const SHOTS = resolve(process.env.TARSY_ARTIFACTS ?? join(repo, "test-artifacts/screenshots"));

async function session(id) {
  return (await fetch(`${BASE}/api/v1/sessions/${id}`)).json();
}

async function waitStatus(id, statuses) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const body = await session(id);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`session ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const profile = mkdtempSync(join(tmpdir(), "tarsy-browser-forks-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  viewport: { width: 1280, height: 800 },
});
context.setDefaultTimeout(WAIT);
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
let failed = false;
try {
  const resp = await fetch(`${BASE}/api/v1/alerts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ alert_type: "kubernetes", data: { namespace: "checkout", pod: "checkout-api" } }),
  });
  const { session_id: parentId } = await resp.json();
  const parent = await waitStatus(parentId, ["completed", "failed"]);
  if (parent.status !== "completed") throw new Error(`the parent ended ${parent.status}: ${parent.error_message}`);

  await page.goto(`${BASE}/sessions/${parentId}`);
  await page
    .getByRole("button", { name: /^fork from / })
    .first()
    .click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("radio").first().waitFor();
  await dialog.getByRole("textbox", { name: /Extra instructions/ }).fill("Focus on memory.");
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, "fork-dialog.png") });
  await dialog.getByRole("button", { name: "Fork", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.endsWith(parentId));
  const forkId = new URL(page.url()).pathname.split("/").pop();
  const panel = page.getByTestId("forks-panel");
  await panel.getByText("Forked from").waitFor();
  const fork = await waitStatus(forkId, ["completed", "failed"]);
  if (fork.status !== "completed") throw new Error(`the fork ended ${fork.status}: ${fork.error_message}`);
  if (fork.forked_from?.session_id !== parentId || fork.forked_from?.instructions !== "Focus on memory.")
    throw new Error(`the fork does not name its parent: ${JSON.stringify(fork.forked_from)}`);

  await panel.getByRole("link", { name: "Compare with its parent" }).click();
  await page.getByTestId("compare-parent").waitFor();
  const forkColumn = await page.getByTestId("compare-fork").innerText();
  if (!forkColumn.includes("forked at")) throw new Error(`the compare view does not show the fork: ${forkColumn}`);
  await page.screenshot({ path: join(SHOTS, "fork-compare.png") });

  await page.goto(`${BASE}/sessions/${parentId}`);
  await page.getByTestId("forks-panel").getByRole("link", { name: "Compare" }).first().waitFor();
  if (errors.length) throw new Error(`page errors: ${errors.join(" | ")}`);
  process.stdout.write("ok    fork a session from the dashboard and compare it with its parent\n");
} catch (error) {
  failed = true;
  process.stdout.write(`FAIL  fork a session from the dashboard: ${error.message}\n`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
