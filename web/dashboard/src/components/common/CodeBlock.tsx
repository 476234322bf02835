import Box from "@mui/material/Box";
import type { ReactNode } from "react";

/** Monospace block for arguments, results and raw payloads. Long blocks scroll inside. */
export function CodeBlock({
  children,
  maxHeight = 360,
  label,
}: {
  children: ReactNode;
  maxHeight?: number | "none";
  label?: string;
}) {
  return (
    <Box
      component="pre"
      aria-label={label}
      sx={{
        m: 0,
        p: 1.25,
        bgcolor: "action.hover",
        borderRadius: 1,
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
        fontSize: "0.8rem",
        lineHeight: 1.45,
        whiteSpace: "pre-wrap",
        overflowWrap: "anywhere",
        overflowY: "auto",
        maxHeight,
      }}
    >
      {children}
    </Box>
  );
}
