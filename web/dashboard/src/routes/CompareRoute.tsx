import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { fetchSessionDetail, sessionKeys } from "../api/session";
import { ErrorNotice } from "../components/common/ErrorNotice";
import { SessionCompare } from "../components/forks/SessionCompare";

/** `/sessions/:id/compare/:otherId`: a session (the parent) and a fork of it, side by side. */
export function CompareRoute() {
  const { id = "", otherId = "" } = useParams();
  const parent = useQuery({
    queryKey: sessionKeys.detail(id),
    queryFn: ({ signal }) => fetchSessionDetail(id, signal),
  });
  const fork = useQuery({
    queryKey: sessionKeys.detail(otherId),
    queryFn: ({ signal }) => fetchSessionDetail(otherId, signal),
  });
  if (parent.isError) return <ErrorNotice error={parent.error} what={`Session ${id}`} />;
  if (fork.isError) return <ErrorNotice error={fork.error} what={`Session ${otherId}`} />;
  if (!parent.data || !fork.data) return <Skeleton variant="rounded" height={240} />;
  return (
    <>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Fork and parent
      </Typography>
      <SessionCompare parent={parent.data} fork={fork.data} />
    </>
  );
}
