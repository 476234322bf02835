import Box from "@mui/material/Box";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { configKeys, fetchSystemConfig } from "../api/config";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { ConfigView } from "../components/system/ConfigView";

/** What the replica serving this page runs: version, build, settings and merged configuration. */
export function ConfigRoute() {
  const config = useQuery({
    queryKey: configKeys.effective(),
    queryFn: ({ signal }) => fetchSystemConfig(signal),
    retry: 0,
  });
  return (
    <Box sx={{ display: "grid", gap: 2 }}>
      <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
        Configuration
      </Typography>
      {config.data ? (
        <ConfigView config={config.data} />
      ) : config.isError ? (
        <ErrorNotice error={config.error} what="the configuration (GET /api/v1/system/config)" />
      ) : (
        <Skeleton height={200} />
      )}
    </Box>
  );
}
