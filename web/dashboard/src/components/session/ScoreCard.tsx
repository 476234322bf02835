import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import type { SessionScore } from "../../api/session";
import { formatTime } from "../../lib/format";
import { Markdown } from "../common/Markdown";
import { ScoreChip } from "../common/ScoreChip";

export interface ScoreCardProps {
  score: SessionScore | null;
  /** Show the Re-score button (operators, on an ended session). */
  canRescore: boolean;
  rescoring: boolean;
  onRescore: () => void;
  error: string | null;
}

function Body({ score }: { score: SessionScore }) {
  if (score.status === "scoring") return <Typography color="text.secondary">Scoring…</Typography>;
  if (score.status === "failed")
    return <Typography color="error">Scoring failed: {score.error ?? "no reason given"}</Typography>;
  return (
    <Box>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap", mb: 1 }}>
        {score.score !== null && <ScoreChip score={score.score} size="medium" />}
        {score.outcome && <Typography sx={{ fontWeight: 600 }}>{score.outcome}</Typography>}
        {score.failureTags.map((t) => (
          <Chip key={t} size="small" label={t} data-testid="failure-tag" />
        ))}
      </Box>
      {score.analysis && <Markdown text={score.analysis} />}
      {score.toolReport && (
        <Box sx={{ mt: 1 }}>
          <Typography variant="overline" color="text.secondary">
            Tools
          </Typography>
          <Markdown text={score.toolReport} />
        </Box>
      )}
    </Box>
  );
}

/** The latest score of an ended session (docs/scoring.md), and a way to score it again. */
export function ScoreCard({ score, canRescore, rescoring, onRescore, error }: ScoreCardProps) {
  const running = rescoring || score?.status === "scoring";
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, md: 2 } }} data-testid="score-card">
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1 }}>
        <Typography variant="overline" color="primary" sx={{ flexGrow: 1 }}>
          Score
        </Typography>
        {score?.scoredAt && (
          <Typography variant="caption" color="text.secondary">
            {formatTime(score.scoredAt)}
          </Typography>
        )}
        {canRescore && (
          <Button size="small" variant="outlined" disabled={running} onClick={onRescore}>
            {score ? "Re-score" : "Score"}
          </Button>
        )}
      </Box>
      {score ? <Body score={score} /> : <Typography color="text.secondary">Not scored.</Typography>}
      {error && (
        <Typography color="error" variant="body2" sx={{ mt: 1 }}>
          {error}
        </Typography>
      )}
    </Paper>
  );
}
