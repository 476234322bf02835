import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { Markdown } from "../common/Markdown";

/** The answer an SRE came for: the executive summary first, the full analysis below it. */
export function AnalysisCard({
  executiveSummary,
  finalAnalysis,
}: {
  executiveSummary: string | null;
  finalAnalysis: string | null;
}) {
  if (!executiveSummary && !finalAnalysis) return null;
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, md: 2 }, borderColor: "primary.light" }} data-testid="analysis">
      {executiveSummary && (
        <Box sx={{ mb: finalAnalysis ? 2 : 0 }}>
          <Typography variant="overline" color="primary">
            Executive summary
          </Typography>
          <Markdown text={executiveSummary} />
        </Box>
      )}
      {finalAnalysis && (
        <Box>
          <Typography variant="overline" color="primary">
            Final analysis
          </Typography>
          <Markdown text={finalAnalysis} />
        </Box>
      )}
    </Paper>
  );
}
