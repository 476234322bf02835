import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import type { SystemConfig } from "../../api/config";
import { CodeBlock } from "../common/CodeBlock";

const SECTION_ORDER = ["defaults", "queue", "system", "llm_providers", "mcp_servers", "agents", "agent_chains"];

function sections(config: Record<string, unknown>): [string, unknown][] {
  const known = SECTION_ORDER.filter((k) => k in config).map((k): [string, unknown] => [k, config[k]]);
  const rest = Object.entries(config).filter(([k]) => !SECTION_ORDER.includes(k));
  return [...known, ...rest];
}

function Facts({ rows, label }: { rows: [string, string][]; label: string }) {
  return (
    <Table size="small" aria-label={label}>
      <TableBody>
        {rows.map(([name, value]) => (
          <TableRow key={name}>
            <TableCell component="th" scope="row" sx={{ fontWeight: 600, width: 180 }}>
              {name}
            </TableCell>
            <TableCell sx={{ fontFamily: "ui-monospace, monospace", overflowWrap: "anywhere" }}>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The effective configuration of the replica that answered: build, process settings, each section. */
export function ConfigView({ config }: { config: SystemConfig }) {
  const build: [string, string][] = [
    ["version", config.build.version],
    ["commit", config.build.commit],
    ["built", config.build.buildDate],
    ["python", config.build.python],
    ["configuration", config.source],
  ];
  const settings = Object.entries(config.settings).map(([k, v]): [string, string] => [k, v == null ? "—" : String(v)]);
  return (
    <Box sx={{ display: "grid", gap: 2 }}>
      <Paper variant="outlined" sx={{ p: 2 }} data-testid="config-build">
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem" }}>
            TARSy {config.version}
          </Typography>
          <Chip size="small" label={config.mode} color={config.mode === "demo" ? "warning" : "success"} />
        </Box>
        <Facts rows={build} label="build" />
      </Paper>
      <Paper variant="outlined" sx={{ p: 2 }} data-testid="config-settings">
        <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem", mb: 1 }}>
          Process settings
        </Typography>
        <Facts rows={settings} label="process settings" />
      </Paper>
      {sections(config.config).map(([name, value]) => (
        <Paper key={name} variant="outlined" sx={{ p: 2 }} data-testid={`config-section-${name}`}>
          <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem", mb: 1 }}>
            {name}
          </Typography>
          <CodeBlock label={name} maxHeight={480}>
            {JSON.stringify(value, null, 2)}
          </CodeBlock>
        </Paper>
      ))}
      <Typography variant="body2" color="text.secondary">
        Tokens, keys, passwords, header and environment values and URL credentials are redacted (***) by the server.
      </Typography>
    </Box>
  );
}
