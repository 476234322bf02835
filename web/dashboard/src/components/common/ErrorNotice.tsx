import Alert from "@mui/material/Alert";
import { ApiError, errorMessage } from "../../api/http";

/** An error as a person can act on it; a missing endpoint says so plainly. */
export function ErrorNotice({ error, what }: { error: unknown; what: string }) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <Alert severity={missing ? "info" : "error"} variant="outlined" sx={{ my: 1 }}>
      {missing ? `${what} is not available on this TARSy server yet. ` : `Could not load ${what}: `}
      {errorMessage(error)}
    </Alert>
  );
}
