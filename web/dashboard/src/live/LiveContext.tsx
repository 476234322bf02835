import { createContext, type ReactNode, useContext, useMemo, useSyncExternalStore } from "react";
import { ConnectionStore, type StreamReport } from "./connection";
import { fetchTransport, type SseTransport } from "./sse";

export interface LiveSettings {
  transport: SseTransport;
  /** Batch window for applying stream events to the cache (ms); 0 applies each at once. */
  flushEveryMs: number;
  backoffMs?: readonly number[];
  connections: ConnectionStore;
}

const LiveContext = createContext<LiveSettings | null>(null);

export function LiveProvider({
  children,
  transport = fetchTransport,
  flushEveryMs = 50,
  backoffMs,
}: {
  children: ReactNode;
  transport?: SseTransport;
  flushEveryMs?: number;
  backoffMs?: readonly number[];
}) {
  const value = useMemo<LiveSettings>(
    () => ({ transport, flushEveryMs, backoffMs, connections: new ConnectionStore() }),
    [transport, flushEveryMs, backoffMs],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveSettings {
  const value = useContext(LiveContext);
  if (!value) throw new Error("useLive needs a <LiveProvider>");
  return value;
}

export function useConnectionReports(): StreamReport[] {
  const { connections } = useLive();
  return useSyncExternalStore(connections.subscribe, connections.getSnapshot);
}
