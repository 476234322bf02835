/**
 * The one place that talks HTTP to TARSy. Every service module goes through `request`, so errors
 * arrive in one shape: the API's `{error: {code, message, fields?}}` body becomes an `ApiError`
 * whose message a person can act on.
 */

import { tokenHeaders } from "./token";

export interface FieldError {
  loc?: (string | number)[];
  msg?: string;
  message?: string;
  field?: string;
}

interface ErrorBodyWire {
  error?: { code?: string; message?: string; fields?: FieldError[] | null };
  detail?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldError[];
  /** The `WWW-Authenticate` challenge of a 401 (`Bearer …` in token mode), else null. */
  readonly challenge: string | null;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: FieldError[] = [],
    challenge: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.challenge = challenge;
  }
}

/** `headers` plus this tab's identity (a bearer token in token mode; see api/token.ts). */
export function withIdentity(headers: Record<string, string>): Record<string, string> {
  return { ...headers, ...tokenHeaders() };
}

export const API_PREFIX = "/api/v1";

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
  query?: Record<string, string | number | boolean | undefined | null | readonly string[]>;
}

export function buildQuery(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function errorFrom(res: Response): Promise<ApiError> {
  let body: ErrorBodyWire | null = null;
  try {
    body = (await res.json()) as ErrorBodyWire;
  } catch {
    body = null;
  }
  const err = body?.error;
  const challenge = res.headers.get("WWW-Authenticate");
  if (err?.message) {
    return new ApiError(res.status, err.code ?? `http_${res.status}`, err.message, err.fields ?? [], challenge);
  }
  const fallback =
    res.status === 404
      ? `${res.url ? new URL(res.url).pathname : "endpoint"} is not available on this server (HTTP 404)`
      : `request failed: HTTP ${res.status} ${res.statusText}`.trim();
  return new ApiError(res.status, `http_${res.status}`, fallback);
}

/** Fetch JSON from `path` (relative to the site root) and hand the raw body to `convert`. */
export async function request<T>(path: string, convert: (raw: unknown) => T, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: options.method ?? "GET",
    headers: withIdentity({ Accept: "application/json" }),
    signal: options.signal,
  };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  let res: Response;
  try {
    res = await fetch(path + buildQuery(options.query), init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "network", "TARSy is unreachable (network error)");
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return convert(null);
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("json")) {
    // A server without this endpoint may answer with the dashboard's own index.html.
    throw new ApiError(
      404,
      "not_available",
      `${path} is not available on this server (it answered ${type || "without a type"}, not JSON)`,
    );
  }
  return convert(await res.json());
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** A message for any error a query or mutation may raise. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
