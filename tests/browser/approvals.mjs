// Approving a state-changing tool call from the dashboard, in a real Chromium against a real TARSy
// whose chain ends with an action agent (config written by scripts/browser-tests.sh). The MCP
// server writes every action it runs to $ACTION_LOG: nothing may be there before the click.
//
//   TARSY_URL=http://127.0.0.1:PORT ACTION_LOG=/path/ran.jsonl node tests/browser/approvals.mjs

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(join(repo, "web/dashboard/package.json"));
const { chromium } = require("playwright-core");

const BASE = (process.env.TARSY_URL ?? "http://127.0.0.1:8080").replace(
  /\/$/,
  "",
);
const LOG = process.env.ACTION_LOG ?? "";
const WAIT = Number(process.env.TARSY_TIMEOUT_S ?? "120") * 1000;

function ran() {
  return existsSync(LOG)
    ? readFileSync(LOG, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
}

async function session(id) {
  return (await fetch(`${BASE}/api/v1/sessions/${id}`)).json();
}

async function waitStatus(id, statuses) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const body = await session(id);
    if (statuses.includes(body.status)) return body;
    if (Date.now() > deadline)
      throw new Error(`session ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const profile = mkdtempSync(join(tmpdir(), "tarsy-browser-approvals-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
  ],
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
    body: JSON.stringify({
      alert_type: "kubernetes",
      data: { deployment: "web", reason: "stuck rollout" },
    }),
  });
  const { session_id: id } = await resp.json();
  await waitStatus(id, ["awaiting_approval"]);
  if (ran().length) throw new Error("the action ran before anyone approved it");

  await page.goto(`${BASE}/sessions/${id}`);
  const card = page.getByTestId("approval-request");
  await card.waitFor();
  const text = (await card.innerText()).toLowerCase();
  for (const expected of [
    "ops.restart_deployment",
    '"web"',
    "picks up the fixed one",
  ]) {
    if (!text.includes(expected))
      throw new Error(`the approval card does not show ${expected}: ${text}`);
  }
  await card.getByTestId("approval-comment").fill("approved in the browser");
  await card.getByRole("button", { name: "Approve" }).click();
  await page.getByTestId("approval-outcome").waitFor();

  const done = await waitStatus(id, ["completed", "failed"]);
  if (done.status !== "completed")
    throw new Error(`session ended ${done.status}: ${done.error_message}`);
  const actions = ran();
  if (actions.length !== 1 || actions[0].arguments.name !== "web") {
    throw new Error(
      `expected one restart of web, the server recorded ${JSON.stringify(actions)}`,
    );
  }
  const [approval] = done.approvals;
  if (
    approval.status !== "approved" ||
    approval.comment !== "approved in the browser"
  ) {
    throw new Error(
      `approval not recorded as decided in the browser: ${JSON.stringify(approval)}`,
    );
  }
  await page.getByTestId("approval-decided").first().waitFor();
  if (errors.length) throw new Error(`page errors: ${errors.join(" | ")}`);
  process.stdout.write("ok    approve a tool call from the dashboard\n");
} catch (error) {
  failed = true;
  process.stdout.write(
    `FAIL  approve a tool call from the dashboard: ${error.message}\n`,
  );
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
