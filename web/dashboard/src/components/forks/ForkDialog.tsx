import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormLabel from "@mui/material/FormLabel";
import MenuItem from "@mui/material/MenuItem";
import Radio from "@mui/material/Radio";
import RadioGroup from "@mui/material/RadioGroup";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import { type Checkpoint, describeCheckpoint, type ForkInput } from "../../api/forks";

export const MAX_INSTRUCTIONS = 4000;
const OWN = "__own__"; // MUI shows no label for an empty value

export interface ForkDialogProps {
  stageName: string;
  /** The stage's resume points: its boundary first, then its agents' model calls. */
  checkpoints: readonly Checkpoint[] | null;
  providers: readonly string[];
  submitting: boolean;
  error: string | null;
  onClose: () => void;
  onSubmit: (input: ForkInput) => void;
}

/** "Fork from here": pick where in the stage to resume, and optionally another model and instructions. */
export function ForkDialog({
  stageName,
  checkpoints,
  providers,
  submitting,
  error,
  onClose,
  onSubmit,
}: ForkDialogProps) {
  const [picked, setPicked] = useState<string | null>(null);
  const [provider, setProvider] = useState(OWN);
  const [instructions, setInstructions] = useState("");
  const chosen = picked ?? checkpoints?.[0]?.id ?? null;
  const tooLong = instructions.length > MAX_INSTRUCTIONS;
  const submit = () =>
    chosen &&
    onSubmit({
      checkpointId: chosen,
      llmProvider: provider === OWN ? null : provider,
      instructions: instructions.trim() ? instructions.trim() : null,
    });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="fork-dialog-title">
      <DialogTitle id="fork-dialog-title">Fork from “{stageName}”</DialogTitle>
      <DialogContent sx={{ display: "grid", gap: 2 }}>
        <Typography variant="body2" color="text.secondary">
          A new session reuses everything before the point you pick (no model or tool calls for it) and runs the rest.
        </Typography>
        {checkpoints === null ? (
          <Typography variant="body2">Loading resume points…</Typography>
        ) : checkpoints.length === 0 ? (
          <Alert severity="info">This stage offers no resume point (an earlier stage did not complete).</Alert>
        ) : (
          <FormControl>
            <FormLabel id="fork-point-label">Resume point</FormLabel>
            <RadioGroup aria-labelledby="fork-point-label" value={chosen} onChange={(e) => setPicked(e.target.value)}>
              {checkpoints.map((c) => (
                <FormControlLabel
                  key={c.id}
                  value={c.id}
                  control={<Radio size="small" />}
                  label={
                    <span>
                      {describeCheckpoint(c)}
                      <Typography component="span" variant="caption" color="text.secondary" sx={{ display: "block" }}>
                        reuses {c.modelCalls} model call{c.modelCalls === 1 ? "" : "s"}, {c.toolCalls} tool call
                        {c.toolCalls === 1 ? "" : "s"}
                        {c.lastReply ? ` · “${c.lastReply}”` : ""}
                      </Typography>
                    </span>
                  }
                />
              ))}
            </RadioGroup>
          </FormControl>
        )}
        <TextField
          select
          label="Model provider"
          value={provider}
          onChange={(e) => setProvider(e.target.value)}
          helperText="Every agent of the fork uses it for what runs after the resume point"
        >
          <MenuItem value={OWN}>Each agent's own</MenuItem>
          {providers.map((p) => (
            <MenuItem key={p} value={p}>
              {p}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          label="Extra instructions (optional)"
          multiline
          minRows={2}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
          error={tooLong}
          helperText={`${instructions.length} / ${MAX_INSTRUCTIONS} characters; added to every agent's prompt`}
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={submit} disabled={!chosen || tooLong || submitting}>
          {submitting ? "Forking…" : "Fork"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
