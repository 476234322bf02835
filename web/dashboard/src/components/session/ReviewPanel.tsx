import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";
import { RATING_LABELS, type ReviewEvent, type ReviewState, STATUS_LABELS } from "../../api/reviews";
import { formatTime } from "../../lib/format";

function describe(event: ReviewEvent): string {
  switch (event.action) {
    case "claim":
      return event.assignee === event.actor ? "claimed it" : `assigned it to ${event.assignee ?? "nobody"}`;
    case "unclaim":
      return "unclaimed it";
    case "complete":
      return `completed the review: ${event.qualityRating ? RATING_LABELS[event.qualityRating] : "no rating"}`;
    case "acknowledge":
      return "acknowledged it";
    case "reopen":
      return "reopened it";
    case "feedback":
      return "left feedback";
  }
}

/** The session's triage state (docs/review.md) and who did what to it, oldest first. */
export function ReviewPanel({ review, events }: { review: ReviewState; events: readonly ReviewEvent[] }) {
  if (review.reviewStatus === null) return null;
  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="review-panel">
      <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap", mb: 1 }}>
        <Typography variant="subtitle2" component="h2">
          Review
        </Typography>
        <Chip size="small" label={STATUS_LABELS[review.reviewStatus]} data-testid="review-status" />
        {review.qualityRating && (
          <Chip size="small" variant="outlined" color="primary" label={RATING_LABELS[review.qualityRating]} />
        )}
        {review.assignee && (
          <Typography variant="body2" color="text.secondary">
            {review.reviewStatus === "reviewed" ? "by" : "assigned to"} {review.reviewedBy ?? review.assignee}
          </Typography>
        )}
        <Link component={RouterLink} to="/triage" variant="body2" sx={{ ml: "auto" }}>
          Triage
        </Link>
      </Box>
      {events.map((e) => (
        <Box key={e.id} sx={{ py: 0.5, borderTop: 1, borderColor: "divider" }}>
          <Typography variant="body2">
            <strong>{e.actor}</strong> {describe(e)}{" "}
            <Typography component="span" variant="caption" color="text.secondary">
              {formatTime(e.at)}
            </Typography>
          </Typography>
          {e.comment && (
            <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: "pre-wrap" }}>
              {e.comment}
            </Typography>
          )}
        </Box>
      ))}
    </Paper>
  );
}
