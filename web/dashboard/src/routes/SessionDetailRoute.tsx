import Box from "@mui/material/Box";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { type ChatHistory, chatKeys, fetchChat, isChatInFlight, sendChatMessage, cancelChat } from "../api/chat";
import { authKeys, fetchWhoAmI } from "../api/auth";
import { configKeys, fetchSystemConfig } from "../api/config";
import {
  checkpointsOfStage,
  fetchCheckpoints,
  type ForkInput,
  forkKeys,
  forkSession,
  providerNames,
} from "../api/forks";
import { ApiError, errorMessage } from "../api/http";
import {
  cancelSession,
  fetchSessionDetail,
  type Stage,
  fetchSessionStats,
  mergeDetailSnapshot,
  rescoreSession,
  type SessionDetail,
  sessionKeys,
} from "../api/session";
import { isTerminal, laterSessionStatus } from "../api/status";
import { fetchTimeline, mergeTimelineSnapshot, type TimelineData, timelineKeys } from "../api/timeline";
import { ChatPanel } from "../components/chat/ChatPanel";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { ForkDialog } from "../components/forks/ForkDialog";
import { ForksPanel } from "../components/forks/ForksPanel";
import { AlertCard } from "../components/session/AlertCard";
import { AnalysisCard } from "../components/session/AnalysisCard";
import { ReviewPanel } from "../components/session/ReviewPanel";
import { ScoreCard } from "../components/session/ScoreCard";
import { SessionHeader } from "../components/session/SessionHeader";
import { StageOutline } from "../components/session/StageOutline";
import { SessionApprovals, type SessionApprovalsValue } from "../components/timeline/SessionApprovals";
import { Timeline, type TimelineFocus } from "../components/timeline/Timeline";
import { useNow } from "../lib/useNow";
import { useSessionStream } from "../live/useSessionStream";
import { liveAnswers } from "./chatAnswers";

const POLL_MS = 2000;

const missing = (error: unknown) => error instanceof ApiError && error.status === 404;

/** One session: header, alert, analysis, the live conversation timeline and the follow-up chat. */
export function SessionDetailRoute() {
  const { id = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const client = useQueryClient();
  const focus = useMemo<TimelineFocus>(
    () => ({ stageId: search.get("stage"), eventId: search.get("event") }),
    [search],
  );

  const [poll, setPoll] = useState(false);
  const pollEvery = poll ? POLL_MS : false;

  const detail = useQuery({
    queryKey: sessionKeys.detail(id),
    queryFn: ({ signal }) => fetchSessionDetail(id, signal),
    structuralSharing: (old, next) => mergeDetailSnapshot(old as SessionDetail | undefined, next as SessionDetail),
    retry: (n, e) => !missing(e) && n < 2,
    // A scoring run ends after the session's stream has closed: poll until it does.
    refetchInterval: (q) => (q.state.data?.score?.status === "scoring" ? POLL_MS : pollEvery),
  });
  const whoami = useQuery({ queryKey: authKeys.whoami(), queryFn: ({ signal }) => fetchWhoAmI(signal) });
  const rescore = useMutation({
    mutationFn: () => rescoreSession(id),
    onSuccess: (started) =>
      client.setQueryData<SessionDetail>(sessionKeys.detail(id), (old) => (old ? { ...old, score: started } : old)),
    onSettled: () => client.invalidateQueries({ queryKey: sessionKeys.detail(id) }),
  });
  const timeline = useQuery({
    queryKey: timelineKeys.timeline(id),
    queryFn: ({ signal }) => fetchTimeline(id, signal),
    structuralSharing: (old, next) => mergeTimelineSnapshot(old as TimelineData | undefined, next as TimelineData),
    refetchInterval: pollEvery,
  });
  const terminal = detail.data ? isTerminal(detail.data.status) : false;
  const stats = useQuery({
    queryKey: sessionKeys.stats(id),
    queryFn: ({ signal }) => fetchSessionStats(id, signal),
    retry: 0,
    refetchInterval: (q) => (terminal || q.state.error ? false : 10_000),
  });
  const chat = useQuery({
    queryKey: chatKeys.chat(id),
    queryFn: ({ signal }) => fetchChat(id, signal),
    enabled: terminal,
    retry: 0,
    refetchInterval: pollEvery,
  });
  const chatInFlight = chat.data?.messages.some(isChatInFlight) ?? false;

  const expecting = !terminal || chatInFlight;
  const stream = useSessionStream(id, detail.isSuccess && timeline.isSuccess && expecting);
  // While events are expected but the stream is down (or absent), poll REST instead; the
  // snapshots merge into the same cache entries, so nothing flickers back.
  const streamDown = stream === "unavailable" || stream === "reconnecting" || stream === "ended";
  const shouldPoll = expecting && streamDown;
  useEffect(() => setPoll(shouldPoll), [shouldPoll]);

  const cancel = useMutation({
    mutationFn: () => cancelSession(id),
    onSuccess: (result) =>
      client.setQueryData<SessionDetail>(sessionKeys.detail(id), (old) =>
        old ? { ...old, status: laterSessionStatus(old.status, result.status) } : old,
      ),
    onSettled: () => client.invalidateQueries({ queryKey: sessionKeys.detail(id) }),
  });
  const send = useMutation({
    mutationFn: (content: string) => sendChatMessage(id, content),
    onSuccess: (accepted, content) => {
      client.setQueryData<ChatHistory>(chatKeys.chat(id), (old) => {
        const base = old ?? { chatId: accepted.chatId, messages: [] };
        if (base.messages.some((m) => m.messageId === accepted.messageId)) return base;
        return {
          chatId: base.chatId ?? accepted.chatId,
          messages: [
            ...base.messages,
            {
              messageId: accepted.messageId,
              author: "you",
              content,
              createdAt: new Date(),
              stageId: null,
              stageIndex: null,
              status: "pending",
              answer: null,
              errorMessage: null,
              cancelledBy: null,
            },
          ],
        };
      });
      void client.invalidateQueries({ queryKey: chatKeys.chat(id) });
    },
  });
  const stopChat = useMutation({
    mutationFn: () => cancelChat(id),
    onSettled: () => client.invalidateQueries({ queryKey: chatKeys.chat(id) }),
  });

  const navigate = useNavigate();
  const [forkStage, setForkStage] = useState<Stage | null>(null);
  const checkpoints = useQuery({
    queryKey: forkKeys.checkpoints(id),
    queryFn: ({ signal }) => fetchCheckpoints(id, signal),
    enabled: forkStage !== null,
  });
  const systemConfig = useQuery({
    queryKey: configKeys.effective(),
    queryFn: ({ signal }) => fetchSystemConfig(signal),
    enabled: forkStage !== null,
    retry: 0,
  });
  const fork = useMutation({
    mutationFn: (input: ForkInput) => forkSession(id, input),
    onSuccess: (forkId) => {
      setForkStage(null);
      void client.invalidateQueries({ queryKey: sessionKeys.detail(id) });
      void navigate(`/sessions/${encodeURIComponent(forkId)}`);
    },
  });
  const resetFork = fork.reset;
  const openFork = useCallback(
    (stage: Stage) => {
      resetFork();
      setForkStage(stage);
    },
    [resetFork],
  );

  const setFocus = useCallback(
    (next: TimelineFocus) => {
      const params = new URLSearchParams(search);
      if (next.stageId) params.set("stage", next.stageId);
      else params.delete("stage");
      if (next.eventId) params.set("event", next.eventId);
      else params.delete("event");
      setSearch(params, { replace: true });
    },
    [search, setSearch],
  );

  const answers = useMemo(
    () => liveAnswers(chat.data?.messages ?? [], detail.data?.stages ?? [], timeline.data?.events ?? []),
    [chat.data, detail.data, timeline.data],
  );
  const now = useNow(terminal && !chatInFlight ? 0 : 1000);
  const refetchDetail = detail.refetch;
  const approvals = useMemo<SessionApprovalsValue>(
    () => ({ approvals: detail.data?.approvals ?? [], refresh: () => refetchDetail() }),
    [detail.data?.approvals, refetchDetail],
  );

  if (detail.isError) return <ErrorNotice error={detail.error} what={`Session ${id}`} />;
  if (!detail.data) return <Skeleton variant="rounded" height={160} />;
  const session = detail.data;

  const sendError =
    send.error instanceof ApiError && send.error.status === 409
      ? "Another question is being answered; wait for it or stop it."
      : send.error
        ? errorMessage(send.error)
        : stopChat.error
          ? errorMessage(stopChat.error)
          : null;
  const closedReason = !terminal
    ? null
    : chat.isError
      ? missing(chat.error)
        ? "Follow-up chat is not available on this TARSy server yet."
        : `Chat is unavailable: ${errorMessage(chat.error)}`
      : null;

  return (
    <Box>
      <SessionHeader
        session={session}
        stats={stats.data ?? null}
        cancelling={cancel.isPending}
        onCancel={() => cancel.mutate()}
        cancelError={cancel.error ? errorMessage(cancel.error) : null}
      />
      <Box
        sx={{
          display: "grid",
          gap: 2,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "minmax(0, 1fr) 320px" },
          alignItems: "start",
        }}
      >
        <Box sx={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr)", gap: 2, minWidth: 0, order: 1 }}>
          <AnalysisCard executiveSummary={session.executiveSummary} finalAnalysis={session.finalAnalysis} />
          <ReviewPanel review={session.review} events={session.reviewEvents} />
          {(terminal || session.score) && (
            <ScoreCard
              score={session.score}
              canRescore={terminal && whoami.data?.role !== "viewer"}
              rescoring={rescore.isPending}
              onRescore={() => rescore.mutate()}
              error={
                rescore.error instanceof ApiError && rescore.error.status === 409
                  ? "A scoring run is in flight; wait for it."
                  : rescore.error
                    ? errorMessage(rescore.error)
                    : null
              }
            />
          )}
          <ForksPanel sessionId={session.id} forkedFrom={session.forkedFrom} forks={session.forks} />
          <Box sx={{ display: { md: "none" } }}>
            <AlertCard data={session.alertData} runbookUrl={session.runbookUrl} defaultExpanded={false} />
          </Box>
          <Box>
            <Box sx={{ display: "flex", alignItems: "baseline", gap: 1 }}>
              <Typography variant="h6" component="h2" sx={{ fontSize: "1.05rem" }}>
                Conversation
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {timeline.data ? `${timeline.data.events.length} events` : ""}
              </Typography>
            </Box>
            {timeline.data ? (
              <SessionApprovals.Provider value={approvals}>
                <Timeline
                  stages={session.stages}
                  events={timeline.data.events}
                  live={!terminal || chatInFlight}
                  focus={focus}
                  onFocus={setFocus}
                  onFork={terminal ? openFork : undefined}
                />
              </SessionApprovals.Provider>
            ) : timeline.isError ? (
              <ErrorNotice error={timeline.error} what="The timeline" />
            ) : (
              <Skeleton variant="rounded" height={240} />
            )}
          </Box>
          {forkStage && (
            <ForkDialog
              stageName={forkStage.name}
              checkpoints={
                checkpoints.data
                  ? checkpointsOfStage(checkpoints.data, forkStage.stageIndex)
                  : checkpoints.isError
                    ? []
                    : null
              }
              providers={systemConfig.data ? providerNames(systemConfig.data.config) : []}
              submitting={fork.isPending}
              error={
                fork.error ? errorMessage(fork.error) : checkpoints.isError ? errorMessage(checkpoints.error) : null
              }
              onClose={() => setForkStage(null)}
              onSubmit={(input) => fork.mutate(input)}
            />
          )}
          {terminal && (
            <ChatPanel
              messages={chat.data?.messages ?? []}
              closedReason={closedReason}
              live={answers}
              sending={send.isPending}
              error={sendError}
              onSend={async (content) => {
                try {
                  await send.mutateAsync(content);
                  return true;
                } catch {
                  return false;
                }
              }}
              onCancel={() => stopChat.mutate()}
            />
          )}
        </Box>
        <Box
          sx={{
            display: { xs: "none", md: "grid" },
            gridTemplateColumns: "minmax(0, 1fr)",
            gap: 2,
            order: 2,
            position: "sticky",
            top: 64,
            maxHeight: "calc(100vh - 80px)",
            overflowY: "auto",
          }}
        >
          <AlertCard data={session.alertData} runbookUrl={session.runbookUrl} defaultExpanded={false} />
          <StageOutline
            stages={session.stages}
            now={now}
            onSelect={(stageId) => setFocus({ stageId, eventId: null })}
          />
        </Box>
      </Box>
    </Box>
  );
}
