/**
 * Who is signed in. In `proxy` mode the auth proxy's cookie identifies the browser and nothing is
 * sent here; in `token` mode the token entered once is kept in sessionStorage (gone when the tab
 * closes) and sent as `Authorization: Bearer` on every REST call and every stream (see live/sse.ts:
 * streams are read with fetch, so the token never goes into a URL).
 */

import { asRecord, asString } from "./convert";
import { API_PREFIX, request } from "./http";
import type { Schemas } from "./wire";

export { forgetToken, storeToken, storedToken } from "./token";

export type WhoAmI = Schemas["WhoAmI"];
export type Role = WhoAmI["role"];
export type AuthMode = WhoAmI["mode"];

const ROLES: readonly string[] = ["viewer", "operator", "admin"] satisfies Role[];
const MODES: readonly string[] = ["none", "token", "proxy"] satisfies AuthMode[];

/** Tolerant of a server newer than this dashboard: an unknown role or mode falls back to the least. */
export function toWhoAmI(raw: unknown): WhoAmI {
  const w = asRecord(raw);
  const role = asString(w.role);
  const mode = asString(w.mode);
  return {
    name: asString(w.name, "unknown"),
    role: ROLES.includes(role) ? (role as Role) : "viewer",
    mode: MODES.includes(mode) ? (mode as AuthMode) : "none",
  };
}

export const authKeys = { whoami: () => ["whoami"] as const };

export function fetchWhoAmI(signal?: AbortSignal): Promise<WhoAmI> {
  return request(`${API_PREFIX}/whoami`, toWhoAmI, { signal });
}
