import CssBaseline from "@mui/material/CssBaseline";
import { ThemeProvider } from "@mui/material/styles";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useState } from "react";
import LinearProgress from "@mui/material/LinearProgress";
import { createBrowserRouter, RouterProvider } from "react-router";
import { LiveProvider } from "./live/LiveContext";
import { LayoutRoute } from "./routes/LayoutRoute";
import { NotFoundRoute } from "./routes/NotFoundRoute";
import { SessionsRoute } from "./routes/SessionsRoute";
import { theme } from "./theme";

// The sessions list is the landing page and ships in the main bundle; the other pages (and what
// only they use, e.g. markdown) load on first visit.
const SessionDetailRoute = lazy(() =>
  import("./routes/SessionDetailRoute").then((m) => ({ default: m.SessionDetailRoute })),
);
const TraceRoute = lazy(() => import("./routes/TraceRoute").then((m) => ({ default: m.TraceRoute })));
const CompareRoute = lazy(() => import("./routes/CompareRoute").then((m) => ({ default: m.CompareRoute })));
const SubmitAlertRoute = lazy(() => import("./routes/SubmitAlertRoute").then((m) => ({ default: m.SubmitAlertRoute })));
const SystemRoute = lazy(() => import("./routes/SystemRoute").then((m) => ({ default: m.SystemRoute })));
const TriageRoute = lazy(() => import("./routes/TriageRoute").then((m) => ({ default: m.TriageRoute })));
const ConfigRoute = lazy(() => import("./routes/ConfigRoute").then((m) => ({ default: m.ConfigRoute })));

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<LinearProgress aria-label="loading page" />}>{children}</Suspense>;
}

export const routes = [
  {
    path: "/",
    element: <LayoutRoute />,
    children: [
      { index: true, element: <SessionsRoute /> },
      {
        path: "sessions/:id",
        element: (
          <Page>
            <SessionDetailRoute />
          </Page>
        ),
      },
      {
        path: "sessions/:id/trace",
        element: (
          <Page>
            <TraceRoute />
          </Page>
        ),
      },
      {
        path: "sessions/:id/compare/:otherId",
        element: (
          <Page>
            <CompareRoute />
          </Page>
        ),
      },
      {
        path: "triage",
        element: (
          <Page>
            <TriageRoute />
          </Page>
        ),
      },
      {
        path: "submit",
        element: (
          <Page>
            <SubmitAlertRoute />
          </Page>
        ),
      },
      {
        path: "system",
        element: (
          <Page>
            <SystemRoute />
          </Page>
        ),
      },
      {
        path: "config",
        element: (
          <Page>
            <ConfigRoute />
          </Page>
        ),
      },
      { path: "*", element: <NotFoundRoute /> },
    ],
  },
];

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, refetchOnWindowFocus: false, retry: 1 },
    },
  });
}

export function App() {
  const [client] = useState(makeQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <QueryClientProvider client={client}>
        <LiveProvider>
          <RouterProvider router={router} />
        </LiveProvider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
