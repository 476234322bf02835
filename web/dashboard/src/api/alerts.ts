/** Alert submission and the alert types the server knows. */

import { API_PREFIX, request } from "./http";
import type { Schemas } from "./wire";

export interface AlertTypes {
  alertTypes: string[];
  defaultType: string;
}

/** What `mcp` narrows to (the API takes it as a free-form object and validates it server-side). */
export type McpSelection = {
  servers: { name: string; tools: string[] | null }[];
  native_tools?: Record<string, boolean>;
};

export type AlertSubmission = Schemas["AlertRequest"] & { mcp?: McpSelection };
type AlertAcceptedWire = Schemas["AlertAccepted"];
type AlertTypesWire = Schemas["AlertTypesResponse"];

export interface AlertAccepted {
  sessionId: string;
  status: string;
}

export function toAlertTypes(raw: unknown): AlertTypes {
  const w = raw as AlertTypesWire;
  return { alertTypes: w.alert_types, defaultType: w.default };
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
      const w = raw as AlertAcceptedWire;
      return { sessionId: w.session_id, status: w.status };
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
