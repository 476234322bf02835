/** Alert submission and the alert types the server knows. */

import { asArray, asRecord, asString } from "./convert";
import { API_PREFIX, request } from "./http";

export interface AlertTypes {
  alertTypes: string[];
  defaultType: string;
}

export interface McpSelection {
  servers: { name: string; tools: string[] | null }[];
  native_tools?: Record<string, boolean>;
}

export interface AlertSubmission {
  alert_type?: string;
  data: Record<string, unknown> | string;
  runbook?: string;
  mcp?: McpSelection;
}

export interface AlertAccepted {
  sessionId: string;
  status: string;
}

export function toAlertTypes(raw: unknown): AlertTypes {
  const w = asRecord(raw);
  return { alertTypes: asArray<unknown>(w.alert_types).map((t) => asString(t)), defaultType: asString(w.default) };
}

export const alertKeys = {
  types: () => ["alert-types"] as const,
};

export function fetchAlertTypes(signal?: AbortSignal): Promise<AlertTypes> {
  return request(`${API_PREFIX}/alert-types`, toAlertTypes, { signal });
}

export function submitAlert(body: AlertSubmission): Promise<AlertAccepted> {
  return request(
    `${API_PREFIX}/alerts`,
    (raw) => {
      const w = asRecord(raw);
      return { sessionId: asString(w.session_id), status: asString(w.status, "queued") };
    },
    { method: "POST", body },
  );
}

/** Alert data as typed in the form: a JSON object when it parses as one, else the text itself. */
export function parseAlertData(text: string): Record<string, unknown> | string {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      return text;
    }
  }
  return text;
}
