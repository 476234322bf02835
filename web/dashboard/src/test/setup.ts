import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// Stream-driven updates can take a while on a loaded machine.
configure({ asyncUtilTimeout: 5000 });
