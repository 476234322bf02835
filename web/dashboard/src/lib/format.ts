/** Formatting for people reading under pressure: short, unambiguous, same everywhere. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  if (m < 60) return `${m}m ${String(rest).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}

export function durationBetween(start: Date | null, end: Date | null, now: number = Date.now()): number | null {
  if (!start) return null;
  return Math.max(0, (end ? end.getTime() : now) - start.getTime());
}

export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Estimated US dollars: cents above a dollar, four decimals below it, "~" when token counts were estimated. */
export function formatCost(usd: number | null | undefined, estimated = false): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "—";
  const digits = usd === 0 || usd >= 1 ? 2 : usd >= 0.0001 ? 4 : 6;
  return `${estimated ? "~" : ""}$${usd.toFixed(digits)}`;
}

/** The tooltip of a cost: what it is and what it leaves out. */
export function costTitle(cost: { costUsd: number | null; costEstimated: boolean; unpricedCalls?: number }): string {
  const parts = ["Estimated cost from list prices"];
  if (cost.costEstimated) parts.push("some token counts are estimates (the provider reported none)");
  if (cost.unpricedCalls) parts.push(`${cost.unpricedCalls} call(s) without a price are not included`);
  return parts.join("; ");
}

const timeFmt = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

export function formatTime(date: Date | null | undefined): string {
  return date ? timeFmt.format(date) : "—";
}

export function formatRelative(date: Date | null | undefined, now: number = Date.now()): string {
  if (!date) return "—";
  const s = Math.round((now - date.getTime()) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.round(h / 24)}d ago`;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function prettyJson(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One line of plain text from markdown, for list cells and previews. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, "")
    .replace(/[*_`~]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
