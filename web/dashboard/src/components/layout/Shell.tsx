import MenuIcon from "@mui/icons-material/Menu";
import AppBar from "@mui/material/AppBar";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import IconButton from "@mui/material/IconButton";
import Menu from "@mui/material/Menu";
import MenuItem from "@mui/material/MenuItem";
import Toolbar from "@mui/material/Toolbar";
import Typography from "@mui/material/Typography";
import { type ReactNode, useState } from "react";
import { NavLink, Link as RouterLink } from "react-router";

const NAV = [
  { to: "/", label: "Sessions", end: true },
  { to: "/triage", label: "Triage", end: false },
  { to: "/submit", label: "Submit alert", end: false },
  { to: "/system", label: "System", end: false },
  { to: "/config", label: "Configuration", end: false },
] as const;

export function Shell({
  indicator,
  banner,
  demo,
  user,
  children,
}: {
  indicator: ReactNode;
  banner: ReactNode;
  demo: boolean;
  user?: ReactNode;
  children: ReactNode;
}) {
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  return (
    <Box sx={{ minHeight: "100vh", bgcolor: "background.default" }}>
      <AppBar position="sticky" elevation={0} color="default" sx={{ borderBottom: 1, borderColor: "divider" }}>
        <Toolbar variant="dense" sx={{ gap: 1 }}>
          <IconButton
            sx={{ display: { sm: "none" } }}
            edge="start"
            aria-label="menu"
            onClick={(e) => setMenu(e.currentTarget)}
          >
            <MenuIcon />
          </IconButton>
          <Typography
            component={RouterLink}
            to="/"
            variant="h6"
            sx={{ fontWeight: 800, color: "inherit", textDecoration: "none", letterSpacing: 0.5 }}
          >
            TARSy
          </Typography>
          {demo && (
            <Chip
              size="small"
              color="warning"
              label="demo mode"
              title="A scripted model answers every agent: see /health for why"
            />
          )}
          <Box component="nav" sx={{ display: { xs: "none", sm: "flex" }, gap: 0.5, ml: 2 }}>
            {NAV.map((n) => (
              <Button
                key={n.to}
                component={NavLink}
                to={n.to}
                end={n.end}
                size="small"
                color="inherit"
                sx={{ "&.active": { bgcolor: "action.selected" }, textTransform: "none" }}
              >
                {n.label}
              </Button>
            ))}
          </Box>
          <Box sx={{ ml: "auto", display: "flex", alignItems: "center", gap: 2 }}>
            {user}
            {indicator}
          </Box>
        </Toolbar>
      </AppBar>
      <Menu anchorEl={menu} open={Boolean(menu)} onClose={() => setMenu(null)}>
        {NAV.map((n) => (
          <MenuItem key={n.to} component={RouterLink} to={n.to} onClick={() => setMenu(null)}>
            {n.label}
          </MenuItem>
        ))}
      </Menu>
      {banner}
      <Box component="main" sx={{ px: { xs: 1, md: 3 }, py: 2, maxWidth: 1400, mx: "auto" }}>
        {children}
      </Box>
    </Box>
  );
}
