#!/usr/bin/env node
// The dashboard against a TARSy in `token` mode (system.auth.mode: token), in a real headless
// Chromium: it must ask for a token, refuse a wrong one, sign in with the right one, show who is
// signed in, submit an alert and stream the session to completion with the token sent as an
// Authorization header on every REST call and stream, and never put the token into a URL.
//
//   TARSY_URL=http://127.0.0.1:8081 TARSY_TOKEN=<operator token> TARSY_TOKEN_NAME=<its name> \
//     node tests/browser/auth.mjs
//
// Env as in run.mjs (CHROMIUM, TARSY_ARTIFACTS, TARSY_TIMEOUT_S, TARSY_HEADFUL).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
const TOKEN = process.env.TARSY_TOKEN ?? "";
const NAME = process.env.TARSY_TOKEN_NAME ?? "";
if (!TOKEN || !NAME) {
  process.stdout.write("FAIL  set TARSY_TOKEN and TARSY_TOKEN_NAME (an operator token of the server)\n");
  process.exit(1);
}

const results = [];
const log = (line) => process.stdout.write(`${line}\n`);

async function check(name, fn) {
  const started = Date.now();
  try {
    const note = await fn();
    results.push("passed");
    log(`ok    ${name} (${Date.now() - started} ms)${note ? `: ${note}` : ""}`);
  } catch (error) {
    results.push("failed");
    log(`FAIL  ${name}: ${error.message.split("\n")[0]}`);
  }
}

const unauthenticated = await fetch(`${BASE}/api/v1/whoami`);
if (unauthenticated.status !== 401) {
  log(`FAIL  ${BASE} is not in token mode (whoami answered ${unauthenticated.status} without a token)`);
  process.exit(1);
}

const profile = mkdtempSync(join(tmpdir(), "tarsy-browser-auth-"));
mkdirSync(SHOTS, { recursive: true });
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: process.env.TARSY_HEADFUL !== "1",
  args: ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
  viewport: { width: 1280, height: 800 },
});
context.setDefaultTimeout(WAIT);
const page = context.pages()[0] ?? (await context.newPage());
const api = [];
page.on("request", (r) => {
  const url = new URL(r.url());
  if (url.origin === BASE && url.pathname.startsWith("/api/")) {
    api.push({ url: r.url(), path: url.pathname, auth: r.headers().authorization ?? null });
  }
});

let sessionUrl = null;
try {
  await check("asks for a token and shows no data before sign-in", async () => {
    await page.goto(`${BASE}/`);
    await page.getByTestId("sign-in").waitFor();
    if (await page.getByTestId("session-row").count()) throw new Error("sessions shown before sign-in");
    await page.screenshot({ path: join(SHOTS, "auth-sign-in.png") });
  });

  await check("refuses a wrong token", async () => {
    await page.getByTestId("sign-in-token").fill("not-the-right-token-0000");
    await page.getByTestId("sign-in-submit").click();
    await page.getByTestId("sign-in-rejected").waitFor();
  });

  await check("signs in with the token and shows who is signed in", async () => {
    await page.getByTestId("sign-in-token").fill(TOKEN);
    await page.getByTestId("sign-in-submit").click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    const name = await page.getByTestId("user-name").innerText();
    const role = await page.getByTestId("user-role").innerText();
    if (name !== NAME) throw new Error(`header shows ${name}, expected ${NAME}`);
    const kept = await page.evaluate(() => Object.keys(sessionStorage));
    if (!kept.includes("tarsy.apiToken")) throw new Error(`token not in sessionStorage (keys: ${kept})`);
    return `${name} (${role})`;
  });

  await check("submits an alert and streams the session to completion", async () => {
    await page.goto(`${BASE}/submit`);
    await page.getByTestId("alert-form").waitFor();
    await page.getByLabel("alert data").fill(JSON.stringify({ pod: "checkout-7d9f", note: "token-mode browser test" }));
    await page.getByTestId("submit-alert").click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    sessionUrl = page.url();
    const header = page.getByTestId("session-header");
    await header
      .locator('[data-status="completed"], [data-status="failed"], [data-status="cancelled"]')
      .first()
      .waitFor();
    const status = await header.locator("[data-status]").first().getAttribute("data-status");
    if (status !== "completed") throw new Error(`session ended ${status}`);
    await page.getByTestId("analysis").waitFor();
    if (!(await header.innerText()).includes(NAME)) throw new Error(`the session's author is not ${NAME}`);
    await page.screenshot({ path: join(SHOTS, "auth-session-completed.png") });
    return `session ${sessionUrl.split("/").pop()}`;
  });

  await check("every API call and stream carried the token as a header, none in its URL", async () => {
    const streams = api.filter((r) => r.path.endsWith("/events"));
    if (streams.length === 0) throw new Error("no event stream was opened");
    const signedIn = api.filter((r) => r.auth !== null);
    const wrong = signedIn.filter((r) => r.auth !== `Bearer ${TOKEN}` && !r.auth.includes("not-the-right-token"));
    if (wrong.length) throw new Error(`unexpected Authorization on ${wrong[0].path}`);
    const bare = api.filter((r) => r.auth === null && r.path !== "/api/v1/whoami");
    if (bare.length) throw new Error(`sent without a token: ${bare.map((r) => r.path).join(", ")}`);
    const streamsWithout = streams.filter((r) => r.auth !== `Bearer ${TOKEN}`);
    if (streamsWithout.length) throw new Error(`a stream without the token: ${streamsWithout[0].url}`);
    const leaked = api.filter((r) => r.url.includes(TOKEN) || r.url.includes(encodeURIComponent(TOKEN)));
    if (leaked.length) throw new Error(`the token is in a URL: ${leaked[0].path}`);
    return `${api.length} API requests, ${streams.length} streams`;
  });

  await check("stays signed in on reload, and signing out forgets the token", async () => {
    if (!sessionUrl) throw new Error("no session");
    await page.goto(sessionUrl);
    await page.getByTestId("user-name").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByTestId("sign-in").waitFor();
    const kept = await page.evaluate(() => Object.keys(sessionStorage));
    if (kept.includes("tarsy.apiToken")) throw new Error("token still kept after sign-out");
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

const failed = results.filter((r) => r === "failed").length;
log(`${results.length - failed} passed, ${failed} failed (token mode)`);
process.exit(failed > 0 ? 1 : 0);
