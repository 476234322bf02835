import { useQuery, useQueryClient } from "@tanstack/react-query";
import LinearProgress from "@mui/material/LinearProgress";
import { useCallback, useState } from "react";
import { Outlet } from "react-router";
import { authKeys, fetchWhoAmI, forgetToken, storedToken, storeToken } from "../api/auth";
import { ApiError } from "../api/http";
import { fetchHealth, fetchWarnings, systemKeys } from "../api/system";
import { ConnectionIndicator } from "../components/layout/ConnectionIndicator";
import { Shell } from "../components/layout/Shell";
import { SignIn } from "../components/layout/SignIn";
import { UserBadge } from "../components/layout/UserBadge";
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

function isUnauthenticated(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401;
}

/** Everything around the pages: who is signed in, health, warnings banner, connection state. */
export function LayoutRoute() {
  const client = useQueryClient();
  const whoami = useQuery({
    queryKey: authKeys.whoami(),
    queryFn: ({ signal }) => fetchWhoAmI(signal),
    retry: 0,
    staleTime: 60_000,
  });
  const [rejected, setRejected] = useState(false);
  const signIn = useCallback(
    (token: string) => {
      storeToken(token);
      setRejected(true); // shown only if the next whoami still answers 401
      void client.resetQueries();
    },
    [client],
  );
  const signOut = useCallback(() => {
    forgetToken();
    setRejected(false);
    // Drop what the signed-in user fetched; refetching whoami (now 401) brings back the sign-in form.
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== authKeys.whoami()[0] });
    void client.resetQueries({ queryKey: authKeys.whoami() });
  }, [client]);
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
    enabled: whoami.isSuccess,
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
  const authError = isUnauthenticated(whoami.error) ? whoami.error : null;
  return (
    <Shell
      demo={health.data?.mode === "demo"}
      user={whoami.data ? <UserBadge user={whoami.data} onSignOut={signOut} /> : null}
      indicator={<ConnectionIndicator summary={summarize(reports)} reports={reports} server={server} />}
      banner={<WarningsBanner warnings={visible} onDismiss={dismiss} />}
    >
      {authError ? (
        <SignIn
          tokenMode={(authError.challenge ?? "").toLowerCase().startsWith("bearer")}
          message={authError.message}
          rejected={rejected && storedToken() !== null}
          onSignIn={signIn}
        />
      ) : whoami.isPending ? (
        <LinearProgress aria-label="signing in" />
      ) : (
        <Outlet />
      )}
    </Shell>
  );
}
