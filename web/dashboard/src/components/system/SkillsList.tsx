import Accordion from "@mui/material/Accordion";
import AccordionDetails from "@mui/material/AccordionDetails";
import AccordionSummary from "@mui/material/AccordionSummary";
import Box from "@mui/material/Box";
import Typography from "@mui/material/Typography";
import type { Skill } from "../../api/system";
import { Markdown } from "../common/Markdown";

function agents(names: string[]): string {
  return names.length ? names.join(", ") : "none";
}

/** The skills of the config directory: who may load each, who has it up front, and its procedure. */
export function SkillsList({ skills }: { skills: Skill[] }) {
  if (skills.length === 0) {
    return (
      <Typography color="text.secondary">
        No skills. Add <code>skills/&lt;name&gt;/SKILL.md</code> to the config directory.
      </Typography>
    );
  }
  return (
    <Box sx={{ display: "grid", gap: 1 }}>
      {skills.map((s) => (
        <Accordion key={s.name} variant="outlined" disableGutters data-testid="skill">
          <AccordionSummary>
            <Box>
              <Typography sx={{ fontWeight: 600 }}>{s.name}</Typography>
              <Typography variant="body2" color="text.secondary">
                {s.description}
              </Typography>
            </Box>
          </AccordionSummary>
          <AccordionDetails>
            <Typography variant="caption" color="text.secondary" sx={{ display: "block", mb: 1 }}>
              {s.source} · {s.sizeBytes} bytes · loadable by {agents(s.usedBy)} · up front for {agents(s.requiredBy)}
            </Typography>
            <Markdown text={s.body} />
          </AccordionDetails>
        </Accordion>
      ))}
    </Box>
  );
}
