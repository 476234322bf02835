import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import {
  QUALITY_RATINGS,
  type QualityRating,
  RATING_LABELS,
  type ReviewCommand,
  type TriageGroup,
} from "../../api/reviews";

/** The server refuses a longer comment (422). */
export const MAX_COMMENT = 4000;

export interface TriageActionsProps {
  group: TriageGroup;
  selected: string[];
  busy: boolean;
  onAct: (command: ReviewCommand) => void;
}

/** Bulk actions on the selected sessions; each one the group's sessions can take is offered. */
export function TriageActions({ group, selected, busy, onAct }: TriageActionsProps) {
  const [rating, setRating] = useState<QualityRating | "">("");
  const [comment, setComment] = useState("");
  const none = selected.length === 0 || busy || comment.length > MAX_COMMENT;
  const act = (command: Omit<ReviewCommand, "sessionIds" | "comment">) =>
    onAct({ ...command, sessionIds: selected, comment: comment.trim() || undefined });
  const open = group !== "reviewed";
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", mb: 1.5 }}>
      <Typography variant="body2" color="text.secondary" sx={{ minWidth: 90 }}>
        {selected.length} selected
      </Typography>
      {group === "needs_review" && (
        <Button size="small" variant="outlined" disabled={none} onClick={() => act({ action: "claim" })}>
          Claim
        </Button>
      )}
      {(group === "in_progress" || group === "mine") && (
        <Button size="small" variant="outlined" disabled={none} onClick={() => act({ action: "unclaim" })}>
          Unclaim
        </Button>
      )}
      {open && (
        <>
          <TextField
            select
            size="small"
            label="Rating"
            value={rating}
            onChange={(e) => setRating(e.target.value as QualityRating)}
            sx={{ minWidth: 180 }}
          >
            {QUALITY_RATINGS.map((r) => (
              <MenuItem key={r} value={r}>
                {RATING_LABELS[r]}
              </MenuItem>
            ))}
          </TextField>
          <Button
            size="small"
            variant="contained"
            disabled={none || rating === ""}
            onClick={() => rating !== "" && act({ action: "complete", qualityRating: rating })}
          >
            Complete
          </Button>
          <Button size="small" variant="outlined" disabled={none} onClick={() => act({ action: "acknowledge" })}>
            Acknowledge
          </Button>
        </>
      )}
      {group === "reviewed" && (
        <Button size="small" variant="outlined" disabled={none} onClick={() => act({ action: "reopen" })}>
          Reopen
        </Button>
      )}
      <TextField
        size="small"
        label="Comment (optional)"
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        error={comment.length > MAX_COMMENT}
        helperText={comment.length > MAX_COMMENT ? `at most ${MAX_COMMENT} characters` : undefined}
        sx={{ flex: 1, minWidth: 200 }}
      />
    </Box>
  );
}
