import Chip, { type ChipProps } from "@mui/material/Chip";

/** The bands of docs/scoring.md: correct 70-100, partial 40-69, wrong 0-39. */
export function scoreColor(score: number): ChipProps["color"] {
  if (score >= 70) return "success";
  if (score >= 40) return "warning";
  return "error";
}

export function ScoreChip({ score, size = "small" }: { score: number; size?: ChipProps["size"] }) {
  return (
    <Chip size={size} color={scoreColor(score)} variant="outlined" label={String(score)} title={`score ${score}/100`} />
  );
}
