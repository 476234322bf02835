import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchTransport } from "../../live/sse";
import { fetchWhoAmI, forgetToken, storeToken, toWhoAmI } from "../auth";
import { ApiError } from "../http";
import { TOKEN_KEY } from "../token";

/** A stand-in for the network: records what was sent, answers what it is told. */
function fakeFetch(answer: () => Response) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, headers: { ...(init.headers as Record<string, string>) } });
    return answer();
  });
  return sent;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

afterEach(() => {
  vi.unstubAllGlobals();
  forgetToken();
});

describe("the token of token mode", () => {
  it("is kept in sessionStorage and sent as a bearer header on REST calls and streams, never in the URL", async () => {
    storeToken("  tok-0123456789abcdef ");
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe("tok-0123456789abcdef");
    const sent = fakeFetch(() => json({ name: "otto", role: "operator", mode: "token" }));
    expect(await fetchWhoAmI()).toEqual({ name: "otto", role: "operator", mode: "token" });
    await fetchTransport("/api/v1/sessions/s1/events", { "Last-Event-ID": "4" }, new AbortController().signal);
    expect(sent.map((s) => s.headers.Authorization)).toEqual([
      "Bearer tok-0123456789abcdef",
      "Bearer tok-0123456789abcdef",
    ]);
    expect(sent[1]?.headers["Last-Event-ID"]).toBe("4");
    expect(sent.every((s) => !s.url.includes("tok-"))).toBe(true);
  });

  it("is not sent once forgotten (proxy and none mode send no header at all)", async () => {
    storeToken("tok-0123456789abcdef");
    forgetToken();
    const sent = fakeFetch(() => json({ name: "alice", role: "viewer", mode: "proxy" }));
    await fetchWhoAmI();
    expect(sent[0]?.headers.Authorization).toBeUndefined();
  });

  it("a 401 carries the server's challenge, so the dashboard knows to ask for a token", async () => {
    fakeFetch(() =>
      json({ error: { code: "unauthenticated", message: "sign in" } }, 401, {
        "WWW-Authenticate": 'Bearer realm="tarsy"',
      }),
    );
    const error = await fetchWhoAmI().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).challenge).toBe('Bearer realm="tarsy"');
  });
});

describe("whoami", () => {
  it("unknown roles and modes fall back to the least (viewer, none)", () => {
    expect(toWhoAmI({ name: "x", role: "root", mode: "weird" })).toEqual({ name: "x", role: "viewer", mode: "none" });
  });
});
