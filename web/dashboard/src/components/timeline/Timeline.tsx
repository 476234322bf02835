import LinkIcon from "@mui/icons-material/Link";
import Box from "@mui/material/Box";
import IconButton from "@mui/material/IconButton";
import Typography from "@mui/material/Typography";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Virtuoso, type VirtuosoHandle } from "react-virtuoso";
import type { Stage } from "../../api/session";
import type { TimelineEvent } from "../../api/timeline";
import { useFollowBottom } from "../../lib/useFollowBottom";
import { useNow } from "../../lib/useNow";
import { EventView } from "./EventView";
import { LaneTabs } from "./LaneTabs";
import { buildSections, flattenRows, locate, type Row } from "./model";
import { StageHeader } from "./StageHeader";

export interface TimelineFocus {
  stageId: string | null;
  eventId: string | null;
}

export interface TimelineProps {
  stages: readonly Stage[];
  events: readonly TimelineEvent[];
  /** The session is running: keep the view on the newest output while the reader is at the end. */
  live: boolean;
  focus: TimelineFocus;
  onFocus: (focus: TimelineFocus) => void;
  /** "Fork from here" on each stage (an ended session only). */
  onFork?: (stage: Stage) => void;
}

const TYPE_ACCENT: Record<string, string> = {
  llm_tool_call: "warning.light",
  error: "error.main",
  final_analysis: "primary.main",
  executive_summary: "primary.main",
  user_question: "primary.light",
};

/** Thinking is open while it streams and folded afterwards; a click flips that default. */
function defaultExpanded(event: TimelineEvent): boolean {
  return event.eventType === "llm_thinking" ? event.status === "streaming" : false;
}

const EventRow = memo(function EventRow({
  event,
  highlighted,
  toggled,
  onToggle,
  onLink,
}: {
  event: TimelineEvent;
  highlighted: boolean;
  toggled: boolean;
  onToggle: (id: string) => void;
  onLink: (event: TimelineEvent) => void;
}) {
  const expanded = defaultExpanded(event) !== toggled;
  return (
    <Box
      id={`event-${event.id}`}
      data-testid="timeline-event"
      data-event-type={event.rawType}
      data-status={event.status}
      sx={{
        position: "relative",
        py: 0.75,
        pl: 1.5,
        pr: 4,
        borderLeft: 2,
        borderColor: TYPE_ACCENT[event.eventType] ?? "divider",
        bgcolor: highlighted ? "action.selected" : undefined,
        transition: "background-color 0.6s",
        "&:hover .event-link": { opacity: 1 },
      }}
    >
      <EventView event={event} expanded={expanded} onToggle={() => onToggle(event.id)} />
      <IconButton
        className="event-link"
        size="small"
        aria-label="link to event"
        onClick={() => onLink(event)}
        sx={{ position: "absolute", top: 4, right: 0, opacity: { xs: 0.6, md: 0 }, transition: "opacity 0.2s" }}
      >
        <LinkIcon fontSize="small" />
      </IconButton>
    </Box>
  );
});

/**
 * The conversation of a session: stages as sections, parallel agents as tabs, events as rows of a
 * window-scrolled virtual list (thousands of events stay smooth).
 */
export function Timeline({ stages, events, live, focus, onFocus, onFork }: TimelineProps) {
  const now = useNow(live ? 1000 : 0);
  const [lanes, setLanes] = useState<Record<string, string>>({});
  const [toggled, setToggled] = useState<ReadonlySet<string>>(() => new Set());
  const virtuoso = useRef<VirtuosoHandle>(null);
  const scrolledTo = useRef<string | null>(null);

  const sections = useMemo(() => buildSections(stages, events), [stages, events]);

  // A deep link into a parallel stage opens the agent's tab first.
  const focusLane = useMemo(() => (focus.eventId ? locate(sections, focus.eventId) : null), [sections, focus.eventId]);
  const chosen = useMemo(() => {
    if (!focusLane?.lane || scrolledTo.current === focus.eventId) return lanes;
    return { ...lanes, [focusLane.section.key]: focusLane.lane };
  }, [lanes, focusLane, focus.eventId]);

  const rows = useMemo(() => flattenRows(sections, chosen), [sections, chosen]);
  useFollowBottom(live, events);

  const target = focus.eventId ?? (focus.stageId ? `stage:${focus.stageId}` : null);
  const targetIndex = useMemo(() => (target ? rows.findIndex((r) => r.key === target) : -1), [rows, target]);
  useEffect(() => {
    if (!target || targetIndex < 0 || scrolledTo.current === target) return;
    scrolledTo.current = target;
    if (focusLane?.lane) setLanes((l) => ({ ...l, [focusLane.section.key]: focusLane.lane ?? "" }));
    // Let the list measure first, then bring the target into view.
    const timer = setTimeout(() => virtuoso.current?.scrollToIndex({ index: targetIndex, align: "center" }), 50);
    return () => clearTimeout(timer);
  }, [target, targetIndex, focusLane]);

  const toggle = useCallback((id: string) => {
    setToggled((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const linkEvent = useCallback(
    (event: TimelineEvent) => onFocus({ stageId: event.stageId, eventId: event.id }),
    [onFocus],
  );

  const renderRow = (_: number, row: Row) => {
    switch (row.kind) {
      case "stage": {
        const stage = row.section.stage;
        return (
          <StageHeader
            section={row.section}
            now={now}
            onLink={() => onFocus({ stageId: stage?.id ?? null, eventId: null })}
            onFork={onFork && stage ? () => onFork(stage) : undefined}
          />
        );
      }
      case "tabs":
        return (
          <LaneTabs
            section={row.section}
            selected={row.selected}
            onSelect={(lane) => setLanes((l) => ({ ...l, [row.section.key]: lane }))}
          />
        );
      case "waiting":
        return (
          <Typography variant="body2" color="text.secondary" sx={{ py: 1, pl: 1.5, fontStyle: "italic" }}>
            {row.text}
          </Typography>
        );
      case "event":
        return (
          <EventRow
            event={row.event}
            highlighted={focus.eventId === row.event.id}
            toggled={toggled.has(row.event.id)}
            onToggle={toggle}
            onLink={linkEvent}
          />
        );
    }
  };

  if (rows.length === 0) {
    return (
      <Typography color="text.secondary" sx={{ py: 2 }}>
        Nothing has happened yet: the session is waiting for a worker.
      </Typography>
    );
  }

  return (
    <Box data-testid="timeline" role="feed" aria-busy={live}>
      <Virtuoso
        ref={virtuoso}
        useWindowScroll
        data={rows}
        computeItemKey={(_, row) => row.key}
        itemContent={renderRow}
        increaseViewportBy={{ top: 600, bottom: 600 }}
      />
    </Box>
  );
}
