import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import {
  fetchHealth,
  fetchMcpServers,
  fetchQueue,
  fetchSkills,
  fetchWarnings,
  queueFromHealth,
  systemKeys,
} from "../api/system";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { HealthChecks } from "../components/system/HealthChecks";
import { McpServersPanel } from "../components/system/McpServersPanel";
import { QueuePanel } from "../components/system/QueuePanel";
import { SkillsList } from "../components/system/SkillsList";
import { WarningsList } from "../components/system/WarningsList";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, md: 2 } }} data-testid={testId}>
      <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem", mb: 1.5 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/** Health of the system: queue, MCP servers and their tools, skills, warnings. */
export function SystemRoute() {
  const queue = useQuery({
    queryKey: systemKeys.queue(),
    queryFn: ({ signal }) => fetchQueue(signal),
    retry: 0,
    refetchInterval: 5000,
  });
  const health = useQuery({
    queryKey: systemKeys.health(),
    queryFn: ({ signal }) => fetchHealth(signal),
    refetchInterval: 5000,
    retry: 0,
  });
  const servers = useQuery({
    queryKey: systemKeys.mcpServers(),
    queryFn: ({ signal }) => fetchMcpServers(signal),
    retry: 0,
    refetchInterval: 30_000,
  });
  const skills = useQuery({
    queryKey: systemKeys.skills(),
    queryFn: ({ signal }) => fetchSkills(signal),
    retry: 0,
  });
  const warnings = useQuery({
    queryKey: systemKeys.warnings(),
    queryFn: ({ signal }) => fetchWarnings(signal),
    retry: 0,
  });

  const queueFigures = queue.data ?? (queue.isError && health.data ? queueFromHealth(health.data) : null);
  return (
    <Box sx={{ display: "grid", gap: 2 }}>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
        System
      </Typography>
      <Section title="Queue" testId="system-queue">
        {queueFigures ? (
          <QueuePanel
            queue={queueFigures}
            source={queue.data ? "/api/v1/system/queue" : "/health (queue endpoint unavailable)"}
          />
        ) : (
          <Skeleton height={80} />
        )}
      </Section>
      <Section title="MCP servers" testId="system-mcp">
        {servers.data ? (
          <McpServersPanel servers={servers.data} />
        ) : servers.isError ? (
          <ErrorNotice error={servers.error} what="MCP server health (GET /api/v1/system/mcp-servers)" />
        ) : (
          <Skeleton height={80} />
        )}
      </Section>
      <Section title="Skills" testId="system-skills">
        {skills.data ? (
          <SkillsList skills={skills.data} />
        ) : skills.isError ? (
          <ErrorNotice error={skills.error} what="Skills (GET /api/v1/system/skills)" />
        ) : (
          <Skeleton height={40} />
        )}
      </Section>
      <Section title="Warnings" testId="system-warnings">
        {warnings.data ? (
          <WarningsList warnings={warnings.data} />
        ) : warnings.isError ? (
          <ErrorNotice error={warnings.error} what="System warnings (GET /api/v1/system/warnings)" />
        ) : (
          <Skeleton height={40} />
        )}
      </Section>
      <Section title="Health" testId="system-health">
        {health.data ? (
          <HealthChecks health={health.data} />
        ) : health.isError ? (
          <ErrorNotice error={health.error} what="/health" />
        ) : (
          <Skeleton height={60} />
        )}
      </Section>
    </Box>
  );
}
