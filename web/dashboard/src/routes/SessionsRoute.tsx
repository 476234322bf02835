import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { alertKeys, fetchAlertTypes } from "../api/alerts";
import { ApiError } from "../api/http";
import {
  DEFAULT_LIST_PARAMS,
  type FilterOptions,
  fetchActiveSessions,
  fetchFilterOptions,
  fetchSessionPage,
  type SessionListParams,
  sessionListKeys,
} from "../api/sessions";
import { SESSION_STATUSES } from "../api/status";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { ActiveSessionsPanel } from "../components/sessions/ActiveSessions";
import { SessionFilters } from "../components/sessions/SessionFilters";
import { SessionTable } from "../components/sessions/SessionTable";
import { paramsFromSearch, searchFromParams } from "../lib/listParams";
import { useSessionsListStream } from "../live/useSessionsListStream";

const POLL_MS = 5000;

/** Sessions: what runs now (live), then the history, paged and filtered on the server. */
export function SessionsRoute() {
  const [search, setSearch] = useSearchParams();
  const params = useMemo(() => paramsFromSearch(search), [search]);
  const stream = useSessionsListStream();
  // Without the live stream, poll; with it, events trigger the refetches.
  const poll = stream === "live" ? false : POLL_MS;

  const active = useQuery({
    queryKey: sessionListKeys.active(),
    queryFn: ({ signal }) => fetchActiveSessions(signal),
    refetchInterval: (q) => (q.state.error instanceof ApiError && q.state.error.status === 404 ? false : poll),
    retry: 0,
  });
  const page = useQuery({
    queryKey: sessionListKeys.list(params),
    queryFn: ({ signal }) => fetchSessionPage(params, signal),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.error instanceof ApiError ? false : poll === false ? false : POLL_MS * 3),
    retry: 0,
  });
  const options = useQuery({
    queryKey: sessionListKeys.filterOptions(),
    queryFn: ({ signal }) => fetchFilterOptions(signal),
    retry: 0,
    staleTime: 60_000,
  });
  const types = useQuery({
    queryKey: alertKeys.types(),
    queryFn: ({ signal }) => fetchAlertTypes(signal),
    staleTime: 300_000,
  });

  const filterOptions: FilterOptions = options.data ?? {
    statuses: [...SESSION_STATUSES],
    alertTypes: types.data?.alertTypes ?? [],
    chains: [],
    authors: [],
  };

  const update = useCallback(
    (patch: Partial<SessionListParams>) => setSearch(searchFromParams({ ...paramsFromSearch(search), ...patch })),
    [search, setSearch],
  );
  const reset = useCallback(
    () => setSearch(searchFromParams({ ...DEFAULT_LIST_PARAMS, pageSize: params.pageSize })),
    [setSearch, params.pageSize],
  );

  return (
    <Box>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 1.5 }}>
        Now
      </Typography>
      <Box sx={{ mb: 3 }} data-testid="active-sessions">
        {active.data ? (
          <ActiveSessionsPanel data={active.data} />
        ) : active.isError ? (
          <ErrorNotice error={active.error} what="The live view of running sessions (GET /api/v1/sessions/active)" />
        ) : (
          <Skeleton variant="rounded" height={96} />
        )}
      </Box>
      <Typography variant="h5" component="h2" sx={{ fontWeight: 700, mb: 1.5 }}>
        History
      </Typography>
      <Paper variant="outlined" sx={{ p: { xs: 1, md: 2 } }}>
        <SessionFilters params={params} options={filterOptions} onChange={update} onReset={reset} />
        {page.data ? (
          <SessionTable page={page.data} params={params} fetching={page.isFetching} onChange={update} />
        ) : page.isError ? (
          <ErrorNotice error={page.error} what="Session history (GET /api/v1/sessions)" />
        ) : (
          <Skeleton variant="rounded" height={320} />
        )}
        {page.data && page.isError && <ErrorNotice error={page.error} what="The refreshed page" />}
      </Paper>
    </Box>
  );
}
