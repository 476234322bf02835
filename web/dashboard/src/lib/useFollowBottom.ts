import { useEffect, useRef } from "react";

const SLACK_PX = 120;

function atBottom(): boolean {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - SLACK_PX;
}

/**
 * While `active`, keep the window scrolled to the end as `content` changes, but only if the reader
 * was at the end already: scrolling up to read stops the following, scrolling back resumes it.
 */
export function useFollowBottom(active: boolean, content: unknown): void {
  const following = useRef(false);
  useEffect(() => {
    if (!active) return;
    const update = () => {
      following.current = atBottom();
    };
    update();
    window.addEventListener("scroll", update, { passive: true });
    return () => window.removeEventListener("scroll", update);
  }, [active]);
  useEffect(() => {
    if (!active || !following.current) return;
    const frame = requestAnimationFrame(() => window.scrollTo({ top: document.documentElement.scrollHeight }));
    return () => cancelAnimationFrame(frame);
  }, [active, content]);
}
