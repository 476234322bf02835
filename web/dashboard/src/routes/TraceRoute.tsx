import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link as RouterLink, useParams, useSearchParams } from "react-router";
import { fetchSessionDetail, mergeDetailSnapshot, type SessionDetail, sessionKeys } from "../api/session";
import { isTerminal } from "../api/status";
import { fetchTimeline, mergeTimelineSnapshot, type TimelineData, timelineKeys } from "../api/timeline";
import { fetchLlmInteraction, fetchMcpInteraction, fetchTrace, traceKeys } from "../api/trace";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { StatusChip } from "../components/common/StatusChip";
import { LlmDetail, McpDetail } from "../components/trace/InteractionDetail";
import { TraceApprovals } from "../components/trace/TraceApprovals";
import { type TraceSelection, TraceTree } from "../components/trace/TraceTree";
import { useSessionStream } from "../live/useSessionStream";

function parseSelection(value: string | null): TraceSelection | null {
  if (!value) return null;
  const [kind, id] = value.split(":");
  return (kind === "llm" || kind === "mcp") && id ? { kind, id } : null;
}

/** The trace: every model call and tool call of a session, with full conversations and results. */
export function TraceRoute() {
  const { id = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const selected = useMemo(() => parseSelection(search.get("interaction")), [search]);

  const detail = useQuery({
    queryKey: sessionKeys.detail(id),
    queryFn: ({ signal }) => fetchSessionDetail(id, signal),
    structuralSharing: (old, next) => mergeDetailSnapshot(old as SessionDetail | undefined, next as SessionDetail),
  });
  // The stream resumes from the timeline cursor, so the timeline must be in the cache first.
  const timeline = useQuery({
    queryKey: timelineKeys.timeline(id),
    queryFn: ({ signal }) => fetchTimeline(id, signal),
    structuralSharing: (old, next) => mergeTimelineSnapshot(old as TimelineData | undefined, next as TimelineData),
  });
  const running = detail.data ? !isTerminal(detail.data.status) : false;
  useSessionStream(id, running && timeline.isSuccess);

  const trace = useQuery({ queryKey: traceKeys.trace(id), queryFn: ({ signal }) => fetchTrace(id, signal), retry: 0 });
  const llm = useQuery({
    queryKey: traceKeys.interaction(id, "llm", selected?.id ?? ""),
    queryFn: ({ signal }) => fetchLlmInteraction(id, selected?.id ?? "", signal),
    enabled: selected?.kind === "llm",
    retry: 0,
  });
  const mcp = useQuery({
    queryKey: traceKeys.interaction(id, "mcp", selected?.id ?? ""),
    queryFn: ({ signal }) => fetchMcpInteraction(id, selected?.id ?? "", signal),
    enabled: selected?.kind === "mcp",
    retry: 0,
  });

  const select = (s: TraceSelection) => {
    const params = new URLSearchParams(search);
    params.set("interaction", `${s.kind}:${s.id}`);
    setSearch(params, { replace: true });
  };
  const current = selected?.kind === "llm" ? llm : mcp;

  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, mb: 2, flexWrap: "wrap" }}>
        <Button component={RouterLink} to={`/sessions/${id}`} startIcon={<ArrowBackIcon />} size="small">
          Session
        </Button>
        <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
          Trace
        </Typography>
        {detail.data && (
          <>
            <Typography color="text.secondary">{detail.data.alertType}</Typography>
            <StatusChip status={detail.data.status} />
          </>
        )}
      </Box>
      {trace.isError ? (
        <ErrorNotice error={trace.error} what="The trace (GET /api/v1/sessions/{id}/trace)" />
      ) : !trace.data ? (
        <Skeleton variant="rounded" height={320} />
      ) : (
        <>
          <TraceApprovals approvals={trace.data.approvals} />
          <Box
            sx={{
              display: "grid",
              gap: 2,
              gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "360px minmax(0, 1fr)" },
              alignItems: "start",
            }}
          >
            <Paper
              variant="outlined"
              sx={{
                maxHeight: { md: "calc(100vh - 140px)" },
                overflowY: "auto",
                position: { md: "sticky" },
                top: { md: 64 },
              }}
              data-testid="trace-tree"
            >
              <TraceTree trace={trace.data} selected={selected} onSelect={select} />
            </Paper>
            <Paper variant="outlined" sx={{ p: 2, minWidth: 0 }} data-testid="trace-detail">
              {!selected ? (
                <Typography color="text.secondary">
                  Choose an interaction to see its full conversation or call.
                </Typography>
              ) : current.isError ? (
                <ErrorNotice error={current.error} what="This interaction" />
              ) : selected.kind === "llm" && llm.data ? (
                <LlmDetail detail={llm.data} />
              ) : selected.kind === "mcp" && mcp.data ? (
                <McpDetail detail={mcp.data} />
              ) : (
                <Skeleton variant="rounded" height={240} />
              )}
            </Paper>
          </Box>
        </>
      )}
    </Box>
  );
}
