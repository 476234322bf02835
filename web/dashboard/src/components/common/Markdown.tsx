import Box from "@mui/material/Box";
import { memo } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Whether an image may load: this dashboard's own paths only. Anything else would make the browser
 * call a host that a prompt injection chose, with whatever it put in the URL.
 */
export function isLocalImage(src: string | undefined): boolean {
  if (!src) return false;
  return src.startsWith("/") && !src.startsWith("//") && !src.startsWith("/\\");
}

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
  img: ({ src, alt }) => {
    const source = typeof src === "string" ? src : undefined;
    if (isLocalImage(source)) return <img src={source} alt={alt ?? ""} />;
    // A remote image is shown as a link the reader may follow on purpose, never fetched by itself.
    return (
      <a
        href={source}
        target="_blank"
        rel="noreferrer noopener"
        data-testid="remote-image"
        title="remote image, not loaded"
      >
        {`[image: ${alt || source || "no source"}]`}
      </a>
    );
  },
};

/** Markdown from models and engineers: GFM, links open elsewhere, remote images not loaded, no raw HTML. */
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
