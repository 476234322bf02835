import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Typography from "@mui/material/Typography";
import type { WhoAmI } from "../../api/auth";

/** Who is signed in, and (token mode) a way to sign out of this tab. */
export function UserBadge({ user, onSignOut }: { user: WhoAmI; onSignOut: () => void }) {
  if (user.mode === "none") return null;
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1 }} data-testid="user-badge">
      <Typography variant="body2" title={`role: ${user.role}`}>
        <strong data-testid="user-name">{user.name}</strong>{" "}
        <Typography component="span" variant="caption" color="text.secondary" data-testid="user-role">
          {user.role}
        </Typography>
      </Typography>
      {user.mode === "token" && (
        <Button size="small" color="inherit" onClick={onSignOut} sx={{ textTransform: "none" }}>
          Sign out
        </Button>
      )}
    </Box>
  );
}
