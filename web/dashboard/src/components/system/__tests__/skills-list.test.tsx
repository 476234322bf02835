import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { toSkills } from "../../../api/system";
import { SkillsList } from "../SkillsList";

const WIRE = [
  {
    name: "oom-triage",
    description: "Tell a leak from a small limit",
    source: "skills/oom-triage/SKILL.md",
    size_bytes: 31,
    used_by: ["KubernetesAgent"],
    required_by: [],
    body: "1. Compare the **working set** with the limit.",
  },
];

describe("SkillsList", () => {
  it("lists each skill with its description, source, agents and body", () => {
    render(<SkillsList skills={toSkills(WIRE)} />);
    const skill = screen.getByTestId("skill");
    expect(within(skill).getByText("oom-triage")).toBeInTheDocument();
    expect(within(skill).getByText("Tell a leak from a small limit")).toBeInTheDocument();
    fireEvent.click(within(skill).getByText("oom-triage"));
    expect(skill).toHaveTextContent(
      "skills/oom-triage/SKILL.md · 31 bytes · loadable by KubernetesAgent · up front for none",
    );
    expect(within(skill).getByText("working set").tagName).toBe("STRONG");
  });

  it("says how to add one when there are none", () => {
    render(<SkillsList skills={[]} />);
    expect(screen.getByText(/No skills\./)).toHaveTextContent("Add skills/<name>/SKILL.md to the config directory.");
  });
});
