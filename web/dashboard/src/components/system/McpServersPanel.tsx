import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { McpServerHealth } from "../../api/system";
import { formatRelative } from "../../lib/format";
import { StatusChip } from "../common/StatusChip";

export function McpServersPanel({ servers }: { servers: McpServerHealth[] }) {
  if (servers.length === 0) return <Typography color="text.secondary">No MCP servers are configured.</Typography>;
  return (
    <Box data-testid="mcp-server-list">
      {servers.map((s) => (
        <Accordion key={s.id} disableGutters variant="outlined">
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap", width: "100%" }}>
              <Typography sx={{ fontFamily: "monospace", fontWeight: 600 }}>{s.id}</Typography>
              <StatusChip status={s.status} />
              <Typography variant="body2" color="text.secondary">
                {s.tools.length} tools · checked {formatRelative(s.lastChecked)}
              </Typography>
              {s.lastError && (
                <Typography variant="body2" color="error" sx={{ width: "100%" }}>
                  {s.lastError}
                </Typography>
              )}
            </Box>
          </AccordionSummary>
          <AccordionDetails>
            {s.tools.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                No tools listed.
              </Typography>
            ) : (
              <Box
                component="dl"
                sx={{
                  m: 0,
                  display: "grid",
                  gridTemplateColumns: { xs: "1fr", md: "minmax(180px, max-content) 1fr" },
                  gap: 1,
                }}
              >
                {s.tools.map((t) => (
                  <Box key={t.name} sx={{ display: "contents" }}>
                    <Typography component="dt" variant="body2" sx={{ fontFamily: "monospace", fontWeight: 600 }}>
                      {t.name}
                    </Typography>
                    <Typography component="dd" variant="body2" color="text.secondary" sx={{ m: 0 }}>
                      {t.description}
                    </Typography>
                  </Box>
                ))}
              </Box>
            )}
          </AccordionDetails>
        </Accordion>
      ))}
    </Box>
  );
}
