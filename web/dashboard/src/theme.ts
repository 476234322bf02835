import { createTheme } from "@mui/material/styles";

/** Light and dark follow the system; dense enough for incident work, readable on a phone. */
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: "media" },
  colorSchemes: {
    light: {
      palette: { primary: { main: "#1f5fbf" }, secondary: { main: "#6b4fa8" }, background: { default: "#f6f7f9" } },
    },
    dark: { palette: { primary: { main: "#7fb0ff" }, secondary: { main: "#b9a3ec" } } },
  },
  shape: { borderRadius: 6 },
  typography: { fontSize: 14, button: { textTransform: "none", fontWeight: 600 } },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        "@keyframes tarsy-pulse": { "0%, 100%": { opacity: 1 }, "50%": { opacity: 0.35 } },
        "@keyframes tarsy-blink": { "0%": { opacity: 1 }, "100%": { opacity: 0 } },
        "@keyframes tarsy-dots": { "0%, 80%, 100%": { opacity: 0.2 }, "40%": { opacity: 1 } },
        ".pulse": { animation: "tarsy-pulse 1.4s ease-in-out infinite" },
        ".live-dot": {
          display: "inline-block",
          width: 8,
          height: 8,
          borderRadius: "50%",
          backgroundColor: "currentColor",
          animation: "tarsy-pulse 1.4s ease-in-out infinite",
        },
        ".thinking-dots span": { animation: "tarsy-dots 1.2s infinite", fontWeight: 700 },
        ".thinking-dots span:nth-of-type(2)": { animationDelay: "0.2s" },
        ".thinking-dots span:nth-of-type(3)": { animationDelay: "0.4s" },
        "@media (prefers-reduced-motion: reduce)": { ".pulse, .live-dot, .thinking-dots span": { animation: "none" } },
      },
    },
  },
});
