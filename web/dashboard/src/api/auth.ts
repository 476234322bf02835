/**
 * Who is signed in. In `proxy` mode the auth proxy's cookie identifies the browser and nothing is
 * sent here; in `token` mode the token entered once is kept in sessionStorage (gone when the tab
 * closes) and sent as `Authorization: Bearer` on every REST call and every stream (see live/sse.ts:
 * streams are read with fetch, so the token never goes into a URL).
 */

import { asRecord, asString } from "./convert";
import { API_PREFIX, request } from "./http";

export { forgetToken, storeToken, storedToken } from "./token";

export type Role = "viewer" | "operator" | "admin";
export type AuthMode = "none" | "token" | "proxy";

export interface WhoAmI {
  name: string;
  role: Role;
  mode: AuthMode;
}

const ROLES: readonly Role[] = ["viewer", "operator", "admin"];
const MODES: readonly AuthMode[] = ["none", "token", "proxy"];

export function toWhoAmI(raw: unknown): WhoAmI {
  const r = asRecord(raw);
  const role = asString(r.role) as Role;
  const mode = asString(r.mode) as AuthMode;
  return {
    name: asString(r.name, "unknown"),
    role: ROLES.includes(role) ? role : "viewer",
    mode: MODES.includes(mode) ? mode : "none",
  };
}

export const authKeys = { whoami: () => ["whoami"] as const };

export function fetchWhoAmI(signal?: AbortSignal): Promise<WhoAmI> {
  return request(`${API_PREFIX}/whoami`, toWhoAmI, { signal });
}
