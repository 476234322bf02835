import { useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { Outlet } from "react-router";
import { ApiError } from "../api/http";
import { fetchHealth, fetchWarnings, systemKeys } from "../api/system";
import { ConnectionIndicator } from "../components/layout/ConnectionIndicator";
import { Shell } from "../components/layout/Shell";
import { WarningsBanner } from "../components/layout/WarningsBanner";
import { summarize } from "../live/connection";
import { useConnectionReports } from "../live/LiveContext";

const DISMISSED_KEY = "tarsy.dismissedWarnings";

function loadDismissed(): string[] {
  try {
    const raw: unknown = JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? "[]");
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Everything around the pages: health (mode, reachability), warnings banner, connection state. */
export function LayoutRoute() {
  const health = useQuery({
    queryKey: systemKeys.health(),
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: 15_000,
    retry: 0,
  });
  const warnings = useQuery({
    queryKey: systemKeys.warnings(),
    queryFn: ({ signal }) => fetchWarnings(signal),
    refetchInterval: (q) => (q.state.error instanceof ApiError && q.state.error.status === 404 ? false : 30_000),
    retry: 0,
  });
  const reports = useConnectionReports();
  const [dismissed, setDismissed] = useState<string[]>(loadDismissed);
  const dismiss = useCallback((ids: string[]) => {
    setDismissed((old) => {
      const next = [...new Set([...old, ...ids])];
      sessionStorage.setItem(DISMISSED_KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  const visible = (warnings.data ?? []).filter((w) => !dismissed.includes(w.id));
  const server = health.isError ? "down" : health.data ? "up" : "unknown";
  return (
    <Shell
      demo={health.data?.mode === "demo"}
      indicator={<ConnectionIndicator summary={summarize(reports)} reports={reports} server={server} />}
      banner={<WarningsBanner warnings={visible} onDismiss={dismiss} />}
    >
      <Outlet />
    </Shell>
  );
}
