import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Tab from "@mui/material/Tab";
import TablePagination from "@mui/material/TablePagination";
import Tabs from "@mui/material/Tabs";
import Typography from "@mui/material/Typography";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";
import { errorMessage } from "../api/http";
import {
  fetchTriagePage,
  GROUP_LABELS,
  type ReviewCommand,
  type ReviewOutcome,
  submitReview,
  TRIAGE_GROUPS,
  type TriageGroup,
  triageKeys,
} from "../api/reviews";
import { sessionListKeys } from "../api/sessions";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { TriageActions } from "../components/triage/TriageActions";
import { TriageTable } from "../components/triage/TriageTable";
import { useSessionsListStream } from "../live/useSessionsListStream";

const PAGE_SIZE = 25;
const POLL_MS = 15_000;

function groupOf(value: string | null): TriageGroup {
  return TRIAGE_GROUPS.find((g) => g === value) ?? "needs_review";
}

function outcomeText(outcome: ReviewOutcome): string {
  const failures = outcome.results.filter((r) => !r.ok).map((r) => r.error ?? "refused");
  const done = `${outcome.applied} updated`;
  return outcome.failed === 0 ? done : `${done}, ${outcome.failed} refused: ${[...new Set(failures)].join("; ")}`;
}

/** The selected session ids of the page, kept across refetches until an action succeeds. */
function useSelection() {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const clear = () => setSelected(new Set());
  const toggle = (id: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const toggleAll = (ids: string[], select: boolean) =>
    setSelected((old) => {
      const next = new Set(old);
      for (const id of ids)
        if (select) next.add(id);
        else next.delete(id);
      return next;
    });
  return { selected, clear, toggle, toggleAll };
}

function Outcome({ data, error }: { data: ReviewOutcome | undefined; error: Error | null }) {
  if (error) {
    return (
      <Alert severity="error" sx={{ mb: 1.5 }}>
        {errorMessage(error)}
      </Alert>
    );
  }
  if (!data) return null;
  return (
    <Alert severity={data.failed === 0 ? "success" : "warning"} sx={{ mb: 1.5 }} role="status">
      {outcomeText(data)}
    </Alert>
  );
}

/** Triage: ended sessions by review state, with bulk claim, unclaim, complete, acknowledge and reopen. */
export function TriageRoute() {
  const [search, setSearch] = useSearchParams();
  const group = groupOf(search.get("group"));
  const [page, setPage] = useState(1);
  const { selected, clear, toggle, toggleAll } = useSelection();
  const client = useQueryClient();
  const stream = useSessionsListStream();

  const list = useQuery({
    queryKey: triageKeys.group(group, page, PAGE_SIZE),
    queryFn: ({ signal }) => fetchTriagePage(group, page, PAGE_SIZE, signal),
    placeholderData: keepPreviousData,
    refetchInterval: stream === "live" ? false : POLL_MS,
    retry: 0,
  });
  const review = useMutation({
    mutationFn: (command: ReviewCommand) => submitReview(command),
    onSuccess: clear,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: triageKeys.all });
      void client.invalidateQueries({ queryKey: sessionListKeys.all });
    },
  });

  const switchGroup = (next: TriageGroup) => {
    setSearch({ group: next });
    setPage(1);
    clear();
    review.reset();
  };

  return (
    <Box>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 1.5 }}>
        Triage
      </Typography>
      <Tabs value={group} onChange={(_, v: TriageGroup) => switchGroup(v)} sx={{ mb: 1.5 }}>
        {TRIAGE_GROUPS.map((g) => (
          <Tab key={g} value={g} label={GROUP_LABELS[g]} />
        ))}
      </Tabs>
      <Paper variant="outlined" sx={{ p: { xs: 1, md: 2 } }}>
        <TriageActions group={group} selected={[...selected]} busy={review.isPending} onAct={review.mutate} />
        <Outcome data={review.data} error={review.error} />
        {list.data ? (
          <>
            <TriageTable items={list.data.items} selected={selected} onToggle={toggle} onToggleAll={toggleAll} />
            <TablePagination
              component="div"
              count={list.data.total}
              page={page - 1}
              rowsPerPage={PAGE_SIZE}
              rowsPerPageOptions={[PAGE_SIZE]}
              onPageChange={(_, p) => setPage(p + 1)}
            />
          </>
        ) : list.isError ? (
          <ErrorNotice error={list.error} what={`Triage (GET /api/v1/sessions/triage/${group})`} />
        ) : (
          <Skeleton variant="rounded" height={240} />
        )}
      </Paper>
    </Box>
  );
}
