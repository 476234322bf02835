import Box from "@mui/material/Box";
import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

/** Markdown from models and engineers: GFM, links open elsewhere, no raw HTML. */
export const Markdown = memo(function Markdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  return (
    <Box
      className={streaming ? "md streaming" : "md"}
      sx={{
        overflowWrap: "anywhere",
        "& > :first-of-type": { mt: 0 },
        "& > :last-child": { mb: 0 },
        "& h1, & h2, & h3, & h4": { mt: 1.5, mb: 0.75, lineHeight: 1.3 },
        "& h1": { fontSize: "1.25rem" },
        "& h2": { fontSize: "1.125rem" },
        "& h3, & h4": { fontSize: "1rem" },
        "& p, & ul, & ol": { my: 0.75 },
        "& ul, & ol": { pl: 3 },
        "& code": {
          fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
          fontSize: "0.85em",
          bgcolor: "action.hover",
          px: 0.5,
          borderRadius: 0.5,
        },
        "& pre": { bgcolor: "action.hover", p: 1.5, borderRadius: 1, overflowX: "auto" },
        "& pre code": { bgcolor: "transparent", p: 0 },
        "& table": { borderCollapse: "collapse", my: 1, display: "block", overflowX: "auto" },
        "& th, & td": { border: 1, borderColor: "divider", px: 1, py: 0.5, textAlign: "left" },
        "& blockquote": { borderLeft: 3, borderColor: "divider", m: 0, pl: 1.5, color: "text.secondary" },
        "&.streaming > :last-child::after": {
          content: '"▍"',
          ml: 0.25,
          animation: "tarsy-blink 1s steps(2) infinite",
          color: "primary.main",
        },
      }}
    >
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </ReactMarkdown>
    </Box>
  );
});
