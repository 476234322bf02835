import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import { Link as RouterLink } from "react-router";
import type { SystemWarning } from "../../api/system";

/** System warnings on every page: a broken MCP server changes what investigations can see. */
export function WarningsBanner({
  warnings,
  onDismiss,
}: {
  warnings: SystemWarning[];
  onDismiss: (ids: string[]) => void;
}) {
  if (warnings.length === 0) return null;
  const first = warnings[0];
  return (
    <Box sx={{ px: { xs: 1, md: 3 }, pt: 1 }}>
      <Alert severity="warning" onClose={() => onDismiss(warnings.map((w) => w.id))} data-testid="warnings-banner">
        {first?.message}
        {first?.server ? ` (${first.server})` : ""}
        {warnings.length > 1 ? ` and ${warnings.length - 1} more warning${warnings.length > 2 ? "s" : ""}.` : ""}{" "}
        <Link component={RouterLink} to="/system">
          System
        </Link>
      </Alert>
    </Box>
  );
}
