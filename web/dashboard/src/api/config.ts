/** GET /api/v1/system/config: what this replica runs (secrets already redacted by the server). */

import { asNumber, asRecord, asString } from "./convert";
import { API_PREFIX, request } from "./http";

export interface BuildInfo {
  version: string;
  commit: string;
  buildDate: string;
  python: string;
}

export interface SystemConfig {
  version: string;
  build: BuildInfo;
  mode: "demo" | "live";
  source: string;
  settings: Record<string, string | number | null>;
  config: Record<string, unknown>;
}

export function toSystemConfig(raw: unknown): SystemConfig {
  const w = asRecord(raw);
  const build = asRecord(w.build);
  const settings: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(asRecord(w.settings))) {
    settings[key] = value == null ? null : typeof value === "number" ? asNumber(value) : asString(value);
  }
  return {
    version: asString(w.version, "unknown"),
    build: {
      version: asString(build.version, asString(w.version, "unknown")),
      commit: asString(build.commit, "unknown"),
      buildDate: asString(build.build_date, "unknown"),
      python: asString(build.python),
    },
    mode: w.mode === "live" ? "live" : "demo",
    source: asString(w.source, "built-in"),
    settings,
    config: asRecord(w.config),
  };
}

export const configKeys = { effective: () => ["system", "config"] as const };

export function fetchSystemConfig(signal?: AbortSignal): Promise<SystemConfig> {
  return request(`${API_PREFIX}/system/config`, toSystemConfig, { signal });
}
