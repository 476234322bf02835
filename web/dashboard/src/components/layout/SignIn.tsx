import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { type FormEvent, useState } from "react";

/**
 * Shown when the server answers 401. With a bearer challenge (token mode) it asks for a token once
 * per tab; otherwise (proxy mode) only the auth proxy can sign the browser in, so it says so.
 */
export function SignIn({
  tokenMode,
  message,
  rejected,
  onSignIn,
}: {
  tokenMode: boolean;
  message: string;
  rejected: boolean;
  onSignIn: (token: string) => void;
}) {
  const [token, setToken] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) onSignIn(token.trim());
  };
  return (
    <Paper variant="outlined" sx={{ p: 3, maxWidth: 480, mx: "auto", mt: 6 }} data-testid="sign-in">
      <Typography variant="h6" component="h1" sx={{ mb: 1 }}>
        Sign in to TARSy
      </Typography>
      {!tokenMode && (
        <Alert severity="warning" data-testid="sign-in-proxy">
          {message} Reload the page through the sign-in proxy.
        </Alert>
      )}
      {tokenMode && (
        <Box component="form" onSubmit={submit} sx={{ display: "grid", gap: 2 }}>
          <Typography variant="body2" color="text.secondary">
            Enter your API token (from TARSY_API_TOKENS). It is kept in this tab only and sent with every request.
          </Typography>
          {rejected && (
            <Alert severity="error" data-testid="sign-in-rejected">
              That token was not accepted.
            </Alert>
          )}
          <TextField
            label="API token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            slotProps={{ htmlInput: { "data-testid": "sign-in-token" } }}
            autoFocus
          />
          <Button type="submit" variant="contained" disabled={!token.trim()} data-testid="sign-in-submit">
            Sign in
          </Button>
        </Box>
      )}
    </Paper>
  );
}
