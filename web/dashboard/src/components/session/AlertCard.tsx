import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { prettyJson } from "../../lib/format";
import { CodeBlock } from "../common/CodeBlock";

/** The alert as submitted (after masking on the server). */
export function AlertCard({
  data,
  runbookUrl,
  defaultExpanded,
}: {
  data: unknown;
  runbookUrl: string | null;
  defaultExpanded: boolean;
}) {
  return (
    <Accordion defaultExpanded={defaultExpanded} disableGutters variant="outlined" data-testid="alert-card">
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography sx={{ fontWeight: 600 }}>Original alert</Typography>
      </AccordionSummary>
      <AccordionDetails>
        {runbookUrl && (
          <Typography variant="body2" sx={{ mb: 1 }}>
            Runbook:{" "}
            <Link href={runbookUrl} target="_blank" rel="noreferrer noopener">
              {runbookUrl}
            </Link>
          </Typography>
        )}
        <CodeBlock label="alert data" maxHeight={420}>
          {prettyJson(data)}
        </CodeBlock>
      </AccordionDetails>
    </Accordion>
  );
}
