/**
 * Which live streams are open and how they are doing, for the connection indicator. A tiny
 * external store: streams report, the indicator subscribes; no React state is duplicated.
 */

import type { StreamState } from "./sse";

export interface StreamReport {
  key: string;
  label: string;
  state: StreamState;
  detail: string | null;
}

export type ConnectionSummary = "live" | "connecting" | "reconnecting" | "polling" | "idle";

export class ConnectionStore {
  private reports = new Map<string, StreamReport>();
  private listeners = new Set<() => void>();
  private snapshot: StreamReport[] = [];

  report(key: string, label: string, state: StreamState, detail?: string): void {
    this.reports.set(key, { key, label, state, detail: detail ?? null });
    this.emit();
  }

  remove(key: string): void {
    if (this.reports.delete(key)) this.emit();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StreamReport[] => this.snapshot;

  private emit(): void {
    this.snapshot = [...this.reports.values()];
    for (const listener of this.listeners) listener();
  }
}

export function summarize(reports: readonly StreamReport[]): ConnectionSummary {
  const states = new Set(reports.map((r) => r.state));
  if (states.has("reconnecting")) return "reconnecting";
  if (states.has("connecting")) return "connecting";
  if (states.has("live")) return "live";
  if (states.has("unavailable")) return "polling";
  return "idle";
}
