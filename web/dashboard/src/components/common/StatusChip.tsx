import Chip, { type ChipProps } from "@mui/material/Chip";
import { statusLabel } from "../../api/status";

const COLORS: Record<string, ChipProps["color"]> = {
  pending: "default",
  queued: "default",
  in_progress: "info",
  active: "info",
  started: "info",
  streaming: "info",
  cancelling: "warning",
  awaiting_approval: "warning",
  completed: "success",
  failed: "error",
  cancelled: "default",
  timed_out: "warning",
  healthy: "success",
  ok: "success",
  unhealthy: "error",
  error: "error",
  approved: "success",
  rejected: "error",
  expired: "warning",
};

const LIVE = new Set(["in_progress", "active", "started", "streaming", "cancelling"]);
/** Sessions that wait for a person stand out in every list: filled, warning-coloured. */
const NEEDS_PERSON = new Set(["awaiting_approval"]);

export function StatusChip({ status, size = "small" }: { status: string; size?: ChipProps["size"] }) {
  const live = LIVE.has(status);
  return (
    <Chip
      size={size}
      color={COLORS[status] ?? "default"}
      variant={
        live || NEEDS_PERSON.has(status) || status === "failed" || status === "completed" ? "filled" : "outlined"
      }
      label={statusLabel(status)}
      data-status={status}
      icon={live ? <span className="live-dot" aria-hidden /> : undefined}
      sx={{ fontWeight: 600, textTransform: "capitalize", "& .live-dot": { ml: 1 } }}
    />
  );
}
