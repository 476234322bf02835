import Button from "@mui/material/Button";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router";

export function NotFoundRoute() {
  return (
    <>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Nothing here
      </Typography>
      <Button component={RouterLink} to="/" variant="outlined">
        Back to sessions
      </Button>
    </>
  );
}
