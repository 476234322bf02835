import Checkbox from "@mui/material/Checkbox";
import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import { RATING_LABELS } from "../../api/reviews";
import type { SessionSummary } from "../../api/sessions";
import { formatRelative, formatTime } from "../../lib/format";
import { StatusChip } from "../common/StatusChip";

export interface TriageTableProps {
  items: SessionSummary[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: (ids: string[], select: boolean) => void;
}

/** One page of a triage group: a checkbox per session for the bulk actions, its assignee and rating. */
export function TriageTable({ items, selected, onToggle, onToggleAll }: TriageTableProps) {
  const now = Date.now();
  const ids = items.map((s) => s.id);
  const chosen = ids.filter((id) => selected.has(id)).length;
  return (
    <Table size="small" aria-label="triage" data-testid="triage-table">
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox">
            <Checkbox
              slotProps={{ input: { "aria-label": "select all" } }}
              checked={ids.length > 0 && chosen === ids.length}
              indeterminate={chosen > 0 && chosen < ids.length}
              onChange={(e) => onToggleAll(ids, e.target.checked)}
            />
          </TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Alert type</TableCell>
          <TableCell>Ended</TableCell>
          <TableCell>Assignee</TableCell>
          <TableCell>Rating</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {items.length === 0 && (
          <TableRow>
            <TableCell colSpan={6}>
              <Typography color="text.secondary" sx={{ py: 2, textAlign: "center" }}>
                Nothing here.
              </Typography>
            </TableCell>
          </TableRow>
        )}
        {items.map((s) => (
          <TableRow key={s.id} hover data-testid="triage-row" selected={selected.has(s.id)}>
            <TableCell padding="checkbox">
              <Checkbox
                slotProps={{ input: { "aria-label": `select ${s.alertType} ${s.id}` } }}
                checked={selected.has(s.id)}
                onChange={() => onToggle(s.id)}
              />
            </TableCell>
            <TableCell>
              <StatusChip status={s.status} />
            </TableCell>
            <TableCell sx={{ fontWeight: 600 }}>
              <Link component={RouterLink} to={`/sessions/${s.id}`} color="inherit" underline="hover">
                {s.alertType}
              </Link>
            </TableCell>
            <TableCell title={formatTime(s.completedAt)} sx={{ whiteSpace: "nowrap" }}>
              {formatRelative(s.completedAt, now)}
            </TableCell>
            <TableCell data-testid="assignee">{s.assignee ?? "—"}</TableCell>
            <TableCell>
              {s.qualityRating ? <Chip size="small" variant="outlined" label={RATING_LABELS[s.qualityRating]} /> : "—"}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
