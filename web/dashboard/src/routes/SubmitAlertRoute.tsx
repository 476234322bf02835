import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { alertKeys, fetchAlertTypes, submitAlert } from "../api/alerts";
import { ApiError, errorMessage } from "../api/http";
import { sessionListKeys } from "../api/sessions";
import { fetchMcpServers, systemKeys } from "../api/system";
import { AlertForm } from "../components/submit/AlertForm";

function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const f of error.fields) {
    const loc = f.loc?.filter((p) => p !== "body") ?? [];
    const key = f.field ?? String(loc[0] ?? "");
    if (key) out[key === "runbook_url" ? "runbook" : key] = f.message ?? f.msg ?? "invalid";
  }
  return out;
}

/** Submit an alert; on success go straight to the new session and watch it run. */
export function SubmitAlertRoute() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const types = useQuery({ queryKey: alertKeys.types(), queryFn: ({ signal }) => fetchAlertTypes(signal) });
  const servers = useQuery({
    queryKey: systemKeys.mcpServers(),
    queryFn: ({ signal }) => fetchMcpServers(signal),
    retry: 0,
  });
  const submit = useMutation({
    mutationFn: submitAlert,
    onSuccess: (accepted) => {
      void client.invalidateQueries({ queryKey: sessionListKeys.active() });
      navigate(`/sessions/${accepted.sessionId}`);
    },
  });
  return (
    <Box sx={{ maxWidth: 900, mx: "auto" }}>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 2 }}>
        Submit an alert
      </Typography>
      <AlertForm
        alertTypes={types.data ?? null}
        servers={servers.isError ? null : (servers.data ?? [])}
        submitting={submit.isPending}
        error={
          submit.error ? errorMessage(submit.error) : types.isError ? `Alert types: ${errorMessage(types.error)}` : null
        }
        fieldErrors={fieldErrors(submit.error)}
        onSubmit={(s) => submit.mutate(s)}
      />
    </Box>
  );
}
