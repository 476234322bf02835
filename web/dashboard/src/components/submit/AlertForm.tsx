import Alert from "@mui/material/Alert";
import Autocomplete from "@mui/material/Autocomplete";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import FormControlLabel from "@mui/material/FormControlLabel";
import MenuItem from "@mui/material/MenuItem";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import ToggleButton from "@mui/material/ToggleButton";
import ToggleButtonGroup from "@mui/material/ToggleButtonGroup";
import Typography from "@mui/material/Typography";
import { type FormEvent, useState } from "react";
import type { AlertSubmission, AlertTypes, McpSelection } from "../../api/alerts";
import type { McpServerHealth } from "../../api/system";
import { StatusChip } from "../common/StatusChip";

export const SAMPLE_ALERT = {
  alertname: "PodCrashLooping",
  severity: "critical",
  namespace: "prod",
  pod: "checkout-7d9f8c6b5-x2x9q",
  message: "Pod has restarted 12 times in the last 30 minutes",
};

const NATIVE_TOOLS = ["google_search", "code_execution", "url_context"] as const;

export interface AlertFormProps {
  alertTypes: AlertTypes | null;
  /** null: the server list is not available (the MCP choice is then left to the chain). */
  servers: McpServerHealth[] | null;
  submitting: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  onSubmit: (submission: AlertSubmission) => void;
}

type DataMode = "json" | "text";

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** What to investigate, with what: type, payload, runbook, and optionally which MCP tools. */
export function AlertForm({ alertTypes, servers, submitting, error, fieldErrors, onSubmit }: AlertFormProps) {
  const [alertType, setAlertType] = useState("");
  const [mode, setMode] = useState<DataMode>("json");
  const [data, setData] = useState(JSON.stringify(SAMPLE_ALERT, null, 2));
  const [runbook, setRunbook] = useState("");
  const [picked, setPicked] = useState<Record<string, string[]>>({});
  const [native, setNative] = useState<Record<string, boolean>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const type = alertType || alertTypes?.defaultType || "";
  const errors = { ...fieldErrors, ...localErrors };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    let payload: Record<string, unknown> | string = data;
    if (mode === "json") {
      try {
        const parsed: unknown = JSON.parse(data);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          problems.data = "The alert data must be a JSON object.";
        else payload = parsed as Record<string, unknown>;
      } catch (err) {
        problems.data = `Not valid JSON: ${err instanceof Error ? err.message : String(err)}. Switch to Text to send it as is.`;
      }
    } else if (!data.trim()) {
      problems.data = "Describe the alert.";
    }
    if (runbook && !validUrl(runbook)) problems.runbook = "The runbook must be an http(s) URL.";
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const submission: AlertSubmission = { data: payload };
    if (type) submission.alert_type = type;
    if (runbook) submission.runbook = runbook;
    const chosen = Object.entries(picked);
    const nativeChosen = Object.keys(native).length > 0;
    if (chosen.length > 0 || nativeChosen) {
      const mcp: McpSelection = {
        servers: chosen.map(([name, tools]) => ({ name, tools: tools.length ? tools : null })),
      };
      if (nativeChosen) mcp.native_tools = native;
      submission.mcp = mcp;
    }
    onSubmit(submission);
  };

  const toggleServer = (name: string, on: boolean) =>
    setPicked((old) => {
      const next = { ...old };
      if (on) next[name] = [];
      else delete next[name];
      return next;
    });

  return (
    <Paper
      variant="outlined"
      component="form"
      onSubmit={submit}
      sx={{ p: { xs: 1.5, md: 3 }, display: "grid", gap: 2.5 }}
      data-testid="alert-form"
      noValidate
    >
      <TextField
        select
        label="Alert type"
        value={type}
        onChange={(e) => setAlertType(e.target.value)}
        helperText={errors.alert_type ?? "Selects the chain that investigates it"}
        error={Boolean(errors.alert_type)}
        slotProps={{ htmlInput: { "data-testid": "alert-type" } }}
      >
        {(alertTypes?.alertTypes ?? []).map((t) => (
          <MenuItem key={t} value={t}>
            {t}
            {t === alertTypes?.defaultType ? " (default)" : ""}
          </MenuItem>
        ))}
      </TextField>

      <Box>
        <Box sx={{ display: "flex", alignItems: "center", mb: 1, gap: 1 }}>
          <Typography sx={{ fontWeight: 600 }}>Alert data</Typography>
          <ToggleButtonGroup size="small" exclusive value={mode} onChange={(_, v: DataMode | null) => v && setMode(v)}>
            <ToggleButton value="json">JSON</ToggleButton>
            <ToggleButton value="text">Text</ToggleButton>
          </ToggleButtonGroup>
          <Button
            size="small"
            sx={{ ml: "auto" }}
            onClick={() => {
              setMode("json");
              setData(JSON.stringify(SAMPLE_ALERT, null, 2));
            }}
          >
            Sample
          </Button>
        </Box>
        <TextField
          value={data}
          onChange={(e) => setData(e.target.value)}
          multiline
          minRows={8}
          maxRows={24}
          fullWidth
          error={Boolean(errors.data)}
          helperText={
            errors.data ??
            (mode === "json" ? "A JSON object, e.g. an Alertmanager alert's labels and annotations" : "Free text")
          }
          slotProps={{
            htmlInput: {
              "aria-label": "alert data",
              spellCheck: false,
              style: { fontFamily: "monospace", fontSize: 13 },
            },
          }}
        />
      </Box>

      <TextField
        label="Runbook URL (optional)"
        value={runbook}
        onChange={(e) => setRunbook(e.target.value)}
        placeholder="https://github.com/org/runbooks/blob/main/pod-crash.md"
        error={Boolean(errors.runbook)}
        helperText={errors.runbook ?? "Steers the investigation"}
        slotProps={{ htmlInput: { "aria-label": "runbook url" } }}
      />

      <Box>
        <Typography sx={{ fontWeight: 600, mb: 0.5 }}>MCP servers and tools (optional)</Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Leave all unchecked to use the chain's configured servers. Checked servers narrow them: only servers and tools
          the chain's agents already have are accepted, and a checked server with no tools chosen keeps all of its
          tools.
        </Typography>
        {servers === null ? (
          <Alert severity="info" variant="outlined">
            The MCP server list is not available on this server; the chain's servers will be used.
          </Alert>
        ) : servers.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No MCP servers are configured.
          </Typography>
        ) : (
          <Box sx={{ display: "grid", gap: 1 }} data-testid="mcp-servers">
            {servers.map((s) => {
              const on = s.id in picked;
              return (
                <Box key={s.id} sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
                  <FormControlLabel
                    control={<Checkbox checked={on} onChange={(e) => toggleServer(s.id, e.target.checked)} />}
                    label={
                      <Box component="span" sx={{ fontFamily: "monospace" }}>
                        {s.id}
                      </Box>
                    }
                    sx={{ minWidth: 220 }}
                  />
                  <StatusChip status={s.status} />
                  {on && (
                    <Autocomplete
                      multiple
                      size="small"
                      sx={{ flex: 1, minWidth: 240 }}
                      options={s.tools.map((t) => t.name)}
                      value={picked[s.id] ?? []}
                      onChange={(_, value) => setPicked((old) => ({ ...old, [s.id]: value }))}
                      renderInput={(params) => <TextField {...params} placeholder="all tools" />}
                    />
                  )}
                </Box>
              );
            })}
          </Box>
        )}
        <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mt: 1 }}>
          {NATIVE_TOOLS.map((tool) => (
            <FormControlLabel
              key={tool}
              control={
                <Checkbox
                  size="small"
                  indeterminate={!(tool in native)}
                  checked={native[tool] === true}
                  onChange={() =>
                    setNative((old) => {
                      const next = { ...old };
                      if (!(tool in old)) next[tool] = true;
                      else if (old[tool]) next[tool] = false;
                      else delete next[tool];
                      return next;
                    })
                  }
                />
              }
              label={
                <Typography variant="body2">{`${tool.replace("_", " ")}${tool in native ? (native[tool] ? ": on" : ": off") : ": chain default"}`}</Typography>
              }
            />
          ))}
        </Box>
      </Box>

      {error && <Alert severity="error">{error}</Alert>}
      <Box>
        <Button type="submit" variant="contained" size="large" disabled={submitting} data-testid="submit-alert">
          {submitting ? "Submitting…" : "Investigate"}
        </Button>
      </Box>
    </Paper>
  );
}
