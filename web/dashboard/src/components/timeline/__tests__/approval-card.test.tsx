/** The approval card follows decisions made anywhere: stream events, the session's approvals, a 409. */

import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../../api/wire";
import { fakeRestServer, type Recording, ScriptedTransport, sessionWire, timelineWire } from "./factory";
import { renderRecording } from "./harness";

type ApprovalWire = Schemas["ApprovalOut"];

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
});
afterEach(() => vi.unstubAllGlobals());

const SESSION_ID = "00000000-0000-4000-8000-000000000001";

const pending: ApprovalWire = {
  id: "appr-1",
  status: "pending",
  tool: "kubernetes.restart_deployment",
  arguments: { namespace: "shop", name: "checkout" },
  agent: "RemediationAgent",
  stage: "remediate",
  stage_id: "stage-1",
  execution_id: "exec-1",
  reason: "The pods are stuck; a restart clears them.",
  requested_at: "2026-01-01T00:00:05Z",
  expires_at: "2026-01-01T01:00:05Z",
  on_timeout: "reject",
  decided_at: null,
  decided_by: null,
  comment: null,
};

const approvedByBob: ApprovalWire = {
  ...pending,
  status: "approved",
  decided_by: "bob",
  decided_at: "2026-01-01T00:01:00Z",
  comment: "go ahead, checked in Slack",
};

function recordingWith(approvals: ApprovalWire[], events: Recording["connections"][number]["events"] = []): Recording {
  const session = sessionWire({
    status: "awaiting_approval",
    approvals,
    pending_approvals: approvals.filter((a) => a.status === "pending"),
  });
  const timeline = [
    timelineWire({
      event_type: "approval_requested",
      content: "Waiting for approval",
      metadata: { approval: pending },
    }),
  ];
  return {
    session,
    timeline,
    connections: events.length ? [{ lastEventId: null, events, end: "closed" }] : [],
    final: session,
    finalTimeline: timeline,
  };
}

const card = () => screen.findByTestId("approval-request");

describe("approval card", () => {
  it("shows the decision as soon as an approval.decided event arrives", async () => {
    const decided = {
      id: 7,
      event: "approval.decided",
      data: {
        type: "approval.decided",
        session_id: SESSION_ID,
        timestamp: "2026-01-01T00:01:00Z",
        approval: approvedByBob,
      },
    };
    const recording = recordingWith([pending], [decided]);
    const transport = new ScriptedTransport(recording.connections);
    const gate = transport.pause(0, 0);
    renderRecording(recording, { transport });

    await gate.reached;
    expect(within(await card()).getByRole("button", { name: "Approve" })).toBeInTheDocument();
    gate.release();

    const outcome = await screen.findByTestId("approval-outcome");
    expect(outcome).toHaveAttribute("data-status", "approved");
    expect(outcome).toHaveTextContent("approved by bob");
    expect(outcome).toHaveTextContent("go ahead, checked in Slack");
    expect(within(await card()).queryByRole("button", { name: "Approve" })).toBeNull();
    expect(within(await card()).queryByRole("button", { name: "Reject" })).toBeNull();
  });

  it("shows a decision the session's approvals already hold (decided in another tab)", async () => {
    renderRecording(recordingWith([approvedByBob]));

    const outcome = await screen.findByTestId("approval-outcome");
    expect(outcome).toHaveTextContent("approved by bob");
    expect(within(await card()).queryByRole("button", { name: "Approve" })).toBeNull();
  });

  it("refreshes into the decision somebody else made when a click gets 409", async () => {
    const user = userEvent.setup();
    const recording = recordingWith([pending]);
    const transport = new ScriptedTransport(recording.connections);
    renderRecording(recording, { transport });
    const approveButton = within(await card()).getByRole("button", { name: "Approve" });

    const rejectedInSlack: ApprovalWire = {
      ...pending,
      status: "rejected",
      decided_by: "alice@slack",
      decided_at: "2026-01-01T00:02:00Z",
      comment: "not during the sale",
    };
    const rest = fakeRestServer(recording, transport);
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(
        typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
        "http://test",
      );
      if (init?.method === "POST" && url.pathname.endsWith("/approvals/appr-1"))
        return json({ error: { code: "conflict", message: "approval appr-1 is already rejected" } }, 409);
      if (url.pathname === `/api/v1/sessions/${SESSION_ID}`)
        return json({ ...recording.session, status: "pending", approvals: [rejectedInSlack], pending_approvals: [] });
      return rest(input, init);
    });

    await user.click(approveButton);

    const outcome = await screen.findByTestId("approval-outcome");
    await waitFor(() => expect(outcome).toHaveAttribute("data-status", "rejected"));
    expect(outcome).toHaveTextContent("rejected by alice@slack");
    expect(outcome).toHaveTextContent("not during the sale");
    expect(within(await card()).queryByRole("button", { name: "Approve" })).toBeNull();
  });
});
