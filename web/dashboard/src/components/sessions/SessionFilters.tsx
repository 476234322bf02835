import ClearIcon from "@mui/icons-material/Clear";
import SearchIcon from "@mui/icons-material/Search";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import InputAdornment from "@mui/material/InputAdornment";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import { useEffect, useState } from "react";
import { type FilterOptions, MIN_SEARCH_LENGTH, type SessionListParams, usableSearch } from "../../api/sessions";
import { statusLabel } from "../../api/status";

export interface SessionFiltersProps {
  params: SessionListParams;
  options: FilterOptions;
  onChange: (patch: Partial<SessionListParams>) => void;
  onReset: () => void;
}

function Select({
  label,
  value,
  values,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  values: string[];
  onChange: (v: string) => void;
  testId: string;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      sx={{ minWidth: 150 }}
      slotProps={{ htmlInput: { "data-testid": testId } }}
    >
      <MenuItem value="">
        <em>any</em>
      </MenuItem>
      {values.map((v) => (
        <MenuItem key={v} value={v}>
          {v}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Search, status chips and the other filters; every change lands in the URL. */
export function SessionFilters({ params, options, onChange, onReset }: SessionFiltersProps) {
  const [search, setSearch] = useState(params.search);
  useEffect(() => setSearch(params.search), [params.search]);
  useEffect(() => {
    if (search === params.search) return;
    const timer = setTimeout(() => onChange({ search, page: 1 }), 350);
    return () => clearTimeout(timer);
  }, [search, params.search, onChange]);

  const toggleStatus = (status: string) => {
    const next = params.status.includes(status)
      ? params.status.filter((s) => s !== status)
      : [...params.status, status];
    onChange({ status: next, page: 1 });
  };
  const filtered =
    params.status.length > 0 ||
    params.alertType ||
    params.chainId ||
    params.author ||
    params.startDate ||
    params.endDate ||
    params.search;

  return (
    <Box sx={{ display: "grid", gap: 1.5, mb: 2 }} data-testid="session-filters">
      <TextField
        size="small"
        placeholder="Search alert data, analyses and timelines"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        helperText={
          search.trim() && !usableSearch(search) ? `Type at least ${MIN_SEARCH_LENGTH} characters to search` : undefined
        }
        slotProps={{
          htmlInput: { "aria-label": "search sessions" },
          input: {
            startAdornment: (
              <InputAdornment position="start">
                <SearchIcon fontSize="small" />
              </InputAdornment>
            ),
          },
        }}
      />
      <Box sx={{ display: "flex", gap: 0.75, flexWrap: "wrap" }} role="group" aria-label="status filter">
        {options.statuses.map((s) => {
          const on = params.status.includes(s);
          return (
            <Chip
              key={s}
              label={statusLabel(s)}
              color={on ? "primary" : "default"}
              variant={on ? "filled" : "outlined"}
              onClick={() => toggleStatus(s)}
              aria-pressed={on}
              data-testid={`status-filter-${s}`}
              sx={{ textTransform: "capitalize" }}
            />
          );
        })}
      </Box>
      <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", alignItems: "center" }}>
        <Select
          label="Alert type"
          value={params.alertType}
          values={options.alertTypes}
          onChange={(v) => onChange({ alertType: v, page: 1 })}
          testId="filter-alert-type"
        />
        <Select
          label="Chain"
          value={params.chainId}
          values={options.chains}
          onChange={(v) => onChange({ chainId: v, page: 1 })}
          testId="filter-chain"
        />
        <Select
          label="Author"
          value={params.author}
          values={options.authors}
          onChange={(v) => onChange({ author: v, page: 1 })}
          testId="filter-author"
        />
        <TextField
          size="small"
          type="date"
          label="From"
          value={params.startDate.slice(0, 10)}
          onChange={(e) => onChange({ startDate: e.target.value, page: 1 })}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        <TextField
          size="small"
          type="date"
          label="To"
          value={params.endDate.slice(0, 10)}
          onChange={(e) => onChange({ endDate: e.target.value, page: 1 })}
          slotProps={{ inputLabel: { shrink: true } }}
        />
        {filtered && (
          <Button size="small" startIcon={<ClearIcon />} onClick={onReset}>
            Clear filters
          </Button>
        )}
      </Box>
    </Box>
  );
}
