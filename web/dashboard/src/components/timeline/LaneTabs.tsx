import Box from "@mui/material/Box";
import Tab from "@mui/material/Tab";
import Tabs from "@mui/material/Tabs";
import type { AgentLane, Section } from "./model";

const DOT: Record<string, string> = {
  active: "info.main",
  pending: "text.disabled",
  completed: "success.main",
  failed: "error.main",
  cancelled: "text.disabled",
  timed_out: "warning.main",
};

function laneLabel(lane: AgentLane, index: number): string {
  const name = lane.execution?.agentName || `Agent ${index + 1}`;
  return lane.execution?.parentExecutionId ? `↳ ${name}` : name;
}

/** Parallel agents of one stage, one tab each, with a status dot that pulses while it runs. */
export function LaneTabs({
  section,
  selected,
  onSelect,
}: {
  section: Section;
  selected: string;
  onSelect: (lane: string) => void;
}) {
  return (
    <Box sx={{ borderBottom: 1, borderColor: "divider", mb: 1 }}>
      <Tabs
        value={selected}
        onChange={(_, value: string) => onSelect(value)}
        variant="scrollable"
        scrollButtons="auto"
        aria-label={`agents of ${section.stage?.name ?? "stage"}`}
      >
        {section.lanes.map((lane, i) => {
          const status = lane.execution?.status ?? "active";
          return (
            <Tab
              key={lane.key}
              value={lane.key}
              data-testid="lane-tab"
              data-sub-agent={lane.execution?.parentExecutionId ? "true" : undefined}
              title={lane.execution?.task ? `Sub-agent task: ${lane.execution.task}` : undefined}
              sx={{ textTransform: "none", minHeight: 40 }}
              label={
                <Box sx={{ display: "flex", alignItems: "center", gap: 0.75 }}>
                  <Box
                    component="span"
                    className={status === "active" ? "pulse" : undefined}
                    sx={{ width: 8, height: 8, borderRadius: "50%", bgcolor: DOT[status] ?? "text.disabled" }}
                  />
                  {laneLabel(lane, i)}
                  <Box component="span" sx={{ color: "text.secondary", fontSize: "0.75rem" }}>
                    {lane.events.length}
                  </Box>
                </Box>
              }
            />
          );
        })}
      </Tabs>
    </Box>
  );
}
