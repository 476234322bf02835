import { describe, expect, it } from "vitest";
import { DEFAULT_LIST_PARAMS } from "../../api/sessions";
import { formatDuration, formatTokens, plainText } from "../format";
import { paramsFromSearch, searchFromParams } from "../listParams";

describe("format", () => {
  it("formats durations and token counts for quick reading", () => {
    expect([
      formatDuration(null),
      formatDuration(850),
      formatDuration(4200),
      formatDuration(95_000),
      formatDuration(3_900_000),
    ]).toEqual(["—", "850 ms", "4.2 s", "1m 35s", "1h 05m"]);
    expect([formatTokens(950), formatTokens(3400), formatTokens(812_000), formatTokens(2_500_000)]).toEqual([
      "950",
      "3.4k",
      "812k",
      "2.5M",
    ]);
  });

  it("turns markdown into one plain line", () => {
    expect(plainText("## Analysis\n\n**Root cause:** the `pod` is [OOMKilled](http://x).\n- raise the limit")).toBe(
      "Analysis Root cause: the pod is OOMKilled. raise the limit",
    );
  });
});

describe("list parameters in the URL", () => {
  it("round-trip, leaving defaults out of the URL", () => {
    const params = {
      ...DEFAULT_LIST_PARAMS,
      page: 3,
      status: ["failed", "timed_out"],
      search: "checkout",
      sortBy: "duration" as const,
      sortOrder: "asc" as const,
    };
    const search = searchFromParams(params);
    expect(search.toString()).toBe("page=3&sort_by=duration&sort_order=asc&status=failed%2Ctimed_out&search=checkout");
    expect(paramsFromSearch(search)).toEqual(params);
    expect(searchFromParams(DEFAULT_LIST_PARAMS).toString()).toBe("");
  });

  it("ignores values the API would refuse", () => {
    const p = paramsFromSearch(new URLSearchParams("page=-2&page_size=7&sort_by=nope"));
    expect([p.page, p.pageSize, p.sortBy]).toEqual([1, DEFAULT_LIST_PARAMS.pageSize, "created_at"]);
  });
});
