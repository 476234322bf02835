import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SignIn } from "../SignIn";
import { UserBadge } from "../UserBadge";

describe("SignIn", () => {
  it("asks for a token in token mode and hands it over trimmed", async () => {
    const onSignIn = vi.fn<(token: string) => void>();
    render(<SignIn tokenMode message="sign in" rejected={false} onSignIn={onSignIn} />);
    await userEvent.type(screen.getByTestId("sign-in-token"), "  tok-0123456789abcdef  ");
    await userEvent.click(screen.getByTestId("sign-in-submit"));
    expect(onSignIn).toHaveBeenCalledWith("tok-0123456789abcdef");
    expect(screen.queryByTestId("sign-in-rejected")).toBeNull();
  });

  it("in proxy mode only says to come through the proxy", () => {
    render(<SignIn tokenMode={false} message="no identity." rejected={false} onSignIn={() => {}} />);
    expect(screen.getByTestId("sign-in-proxy")).toHaveTextContent("no identity.");
    expect(screen.queryByTestId("sign-in-token")).toBeNull();
  });
});

describe("UserBadge", () => {
  it("shows who is signed in and offers sign-out in token mode only", () => {
    const { rerender } = render(
      <UserBadge user={{ name: "otto", role: "operator", mode: "token" }} onSignOut={() => {}} />,
    );
    expect(screen.getByTestId("user-name")).toHaveTextContent("otto");
    expect(screen.getByTestId("user-role")).toHaveTextContent("operator");
    expect(screen.getByRole("button", { name: "Sign out" })).toBeInTheDocument();
    rerender(<UserBadge user={{ name: "alice@example.com", role: "viewer", mode: "proxy" }} onSignOut={() => {}} />);
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
    rerender(<UserBadge user={{ name: "api-client", role: "admin", mode: "none" }} onSignOut={() => {}} />);
    expect(screen.queryByTestId("user-badge")).toBeNull();
  });
});
