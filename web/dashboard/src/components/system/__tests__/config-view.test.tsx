import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { toSystemConfig } from "../../../api/config";
import { ConfigView } from "../ConfigView";

const WIRE = {
  version: "0.1.0",
  build: { version: "0.1.0", commit: "0123abc", build_date: "2026-12-04T16:00:00Z", python: "3.11.7" },
  mode: "live",
  source: "/etc/tarsy",
  settings: {
    host: "0.0.0.0",
    port: 8080,
    database: "postgresql://***@db:5432/tarsy",
    workers: 0,
    dashboard_dir: null,
  },
  config: {
    llm_providers: { "google-default": { type: "google", model: "gemini-2.5-pro", api_key_env: "GOOGLE_API_KEY" } },
    queue: { worker_count: 4, max_concurrent_sessions: 8 },
    mcp_servers: { remote: { transport: { type: "http", headers: { Authorization: "***" } } } },
    extra_section: { x: 1 },
  },
};

describe("ConfigView", () => {
  it("shows version, build, settings and every section in a stable order", () => {
    render(<ConfigView config={toSystemConfig(WIRE)} />);
    const build = screen.getByTestId("config-build");
    expect(build).toHaveTextContent("TARSy 0.1.0");
    expect(within(build).getByText("0123abc")).toBeInTheDocument();
    expect(within(build).getByText("/etc/tarsy")).toBeInTheDocument();
    expect(within(build).getByText("live")).toBeInTheDocument();
    const settings = screen.getByTestId("config-settings");
    expect(within(settings).getByText("postgresql://***@db:5432/tarsy")).toBeInTheDocument();
    expect(within(settings).getByText("—")).toBeInTheDocument(); // dashboard_dir: null
    const names = screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(names.slice(2)).toEqual(["queue", "llm_providers", "mcp_servers", "extra_section"]);
    expect(screen.getByLabelText("queue")).toHaveTextContent('"worker_count": 4');
    expect(screen.getByLabelText("mcp_servers")).toHaveTextContent('"Authorization": "***"');
    expect(screen.getByLabelText("llm_providers")).toHaveTextContent('"api_key_env": "GOOGLE_API_KEY"');
  });

  it("tolerates a server that sends less", () => {
    const config = toSystemConfig({ version: "9.9.9" });
    expect(config.build).toEqual({ version: "9.9.9", commit: "unknown", buildDate: "unknown", python: "" });
    expect(config.mode).toBe("demo");
    render(<ConfigView config={config} />);
    expect(screen.getByTestId("config-build")).toHaveTextContent("TARSy 9.9.9");
  });
});
