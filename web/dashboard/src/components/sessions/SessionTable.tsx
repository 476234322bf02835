import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import LinearProgress from "@mui/material/LinearProgress";
import Link from "@mui/material/Link";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TablePagination from "@mui/material/TablePagination";
import TableRow from "@mui/material/TableRow";
import TableSortLabel from "@mui/material/TableSortLabel";
import Typography from "@mui/material/Typography";
import { Link as RouterLink, useNavigate } from "react-router";
import type { SessionListParams, SessionPage, SortField } from "../../api/sessions";
import {
  costTitle,
  formatCost,
  formatDuration,
  formatRelative,
  formatTime,
  formatTokens,
  plainText,
} from "../../lib/format";
import { PAGE_SIZES } from "../../lib/listParams";
import { ScoreChip } from "../common/ScoreChip";
import { StatusChip } from "../common/StatusChip";

export interface SessionTableProps {
  page: SessionPage;
  params: SessionListParams;
  fetching: boolean;
  onChange: (patch: Partial<SessionListParams>) => void;
}

const WIDE = { display: { xs: "none", md: "table-cell" } } as const;

function SortHeader({
  field,
  label,
  params,
  onChange,
  sx,
}: {
  field: SortField;
  label: string;
  params: SessionListParams;
  onChange: SessionTableProps["onChange"];
  sx?: object;
}) {
  const active = params.sortBy === field;
  return (
    <TableCell sx={sx} sortDirection={active ? params.sortOrder : false}>
      <TableSortLabel
        active={active}
        direction={active ? params.sortOrder : "desc"}
        onClick={() =>
          onChange({ sortBy: field, sortOrder: active && params.sortOrder === "desc" ? "asc" : "desc", page: 1 })
        }
      >
        {label}
      </TableSortLabel>
    </TableCell>
  );
}

/** One server page of the history; sorting and paging go back to the server through the URL. */
export function SessionTable({ page, params, fetching, onChange }: SessionTableProps) {
  const navigate = useNavigate();
  const now = Date.now();
  return (
    <Box sx={{ position: "relative" }}>
      {fetching && <LinearProgress sx={{ position: "absolute", top: 0, left: 0, right: 0 }} />}
      <Box sx={{ overflowX: "auto" }}>
        <Table size="small" aria-label="sessions" data-testid="session-table">
          <TableHead>
            <TableRow>
              <SortHeader field="status" label="Status" params={params} onChange={onChange} />
              <SortHeader field="alert_type" label="Alert type" params={params} onChange={onChange} />
              <TableCell sx={WIDE}>Chain</TableCell>
              <SortHeader field="author" label="Author" params={params} onChange={onChange} sx={WIDE} />
              <SortHeader field="created_at" label="Created" params={params} onChange={onChange} />
              <SortHeader
                field="duration"
                label="Duration"
                params={params}
                onChange={onChange}
                sx={{ display: { xs: "none", sm: "table-cell" } }}
              />
              <SortHeader field="score" label="Score" params={params} onChange={onChange} sx={WIDE} />
              <TableCell sx={WIDE} align="right">
                Tokens
              </TableCell>
              <TableCell sx={WIDE} align="right">
                Cost
              </TableCell>
              <TableCell sx={{ display: { xs: "none", lg: "table-cell" } }}>Summary</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {page.items.length === 0 && (
              <TableRow>
                <TableCell colSpan={9}>
                  <Typography color="text.secondary" sx={{ py: 2, textAlign: "center" }}>
                    No sessions match.
                  </Typography>
                </TableCell>
              </TableRow>
            )}
            {page.items.map((s) => (
              <TableRow
                key={s.id}
                hover
                data-testid="session-row"
                data-status={s.status}
                onClick={() => navigate(`/sessions/${s.id}`)}
                sx={{ cursor: "pointer" }}
              >
                <TableCell>
                  <StatusChip status={s.status} />
                </TableCell>
                <TableCell sx={{ fontWeight: 600 }}>
                  <Link
                    component={RouterLink}
                    to={`/sessions/${s.id}`}
                    color="inherit"
                    underline="hover"
                    onClick={(e) => e.stopPropagation()}
                  >
                    {s.alertType}
                  </Link>
                  {s.forkedFrom && (
                    <Chip
                      size="small"
                      variant="outlined"
                      label="fork"
                      title="Forked from another session"
                      sx={{ ml: 1 }}
                    />
                  )}
                  {s.matchedInTimeline && (
                    <Chip size="small" variant="outlined" label="match in timeline" sx={{ ml: 1 }} />
                  )}
                </TableCell>
                <TableCell sx={WIDE}>{s.chainId}</TableCell>
                <TableCell sx={WIDE}>{s.author}</TableCell>
                <TableCell title={formatTime(s.createdAt)} sx={{ whiteSpace: "nowrap" }}>
                  {formatRelative(s.createdAt, now)}
                </TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}>
                  {formatDuration(s.durationMs)}
                </TableCell>
                <TableCell sx={WIDE} data-testid="session-score">
                  {s.score === null ? "—" : <ScoreChip score={s.score} />}
                </TableCell>
                <TableCell sx={WIDE} align="right">
                  {formatTokens(s.totalTokens)}
                </TableCell>
                <TableCell sx={WIDE} align="right" title={costTitle(s)} data-testid="session-cost">
                  {formatCost(s.costUsd, s.costEstimated)}
                </TableCell>
                <TableCell sx={{ display: { xs: "none", lg: "table-cell" }, maxWidth: 420 }}>
                  <Typography variant="body2" color={s.errorMessage ? "error" : "text.secondary"} noWrap>
                    {s.errorMessage ?? plainText(s.executiveSummary ?? "")}
                  </Typography>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Box>
      <TablePagination
        component="div"
        count={page.total}
        page={Math.max(0, params.page - 1)}
        rowsPerPage={params.pageSize}
        rowsPerPageOptions={[...PAGE_SIZES]}
        onPageChange={(_, p) => onChange({ page: p + 1 })}
        onRowsPerPageChange={(e) => onChange({ pageSize: Number(e.target.value), page: 1 })}
      />
    </Box>
  );
}
