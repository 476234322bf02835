import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { isLocalImage, Markdown } from "../Markdown";

describe("Markdown images", () => {
  it("never renders an <img> for a remote host; shows a link instead", () => {
    const { container } = render(
      <Markdown text={"Summary ![pixel](http://127.0.0.1:9/leak?secret=s3cr3t) and ![p2](//evil.example/x.png)"} />,
    );
    expect(container.querySelector("img")).toBeNull();
    const links = screen.getAllByTestId("remote-image");
    expect(links).toHaveLength(2);
    expect(links[0]).toHaveTextContent("[image: pixel]");
    expect(links[0]).toHaveAttribute("href", "http://127.0.0.1:9/leak?secret=s3cr3t");
  });

  it("keeps images of the dashboard's own origin", () => {
    const { container } = render(<Markdown text={"![logo](/assets/logo.png)"} />);
    expect(Array.from(container.querySelectorAll("img")).map((img) => img.getAttribute("src"))).toEqual([
      "/assets/logo.png",
    ]);
  });

  it("tells local from remote sources", () => {
    expect(isLocalImage("https://example.com/a.png")).toBe(false);
    expect(isLocalImage("//example.com/a.png")).toBe(false);
    expect(isLocalImage("/\\example.com/a.png")).toBe(false);
    expect(isLocalImage("javascript:alert(1)")).toBe(false);
    expect(isLocalImage(undefined)).toBe(false);
    expect(isLocalImage("/api/v1/x.png")).toBe(true);
  });
});
