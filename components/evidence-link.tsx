"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, type MouseEvent, type ReactNode, type RefObject } from "react";

const EVIDENCE_EVENT = "linkscope:evidence";
/** The timeline mounted for the new range within this long after the click highlights itself (once). */
const REQUEST_TTL_MS = 20_000;
let requestedAt = 0;

/** Shows the evidence's range in the timeline, scrolls to it and highlights it (without script: a plain link). */
export function EvidenceLink({ href, children }: { href: string; children: ReactNode }) {
  const router = useRouter();
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    requestedAt = Date.now();
    router.push(href, { scroll: false });
    window.dispatchEvent(new Event(EVIDENCE_EVENT));
  }
  return (
    <a href={href} onClick={onClick} data-evidence-link="">
      {children}
    </a>
  );
}

/** For the timeline panel: true for a moment after an evidence link was followed; scrolls the panel into view. */
export function useEvidenceHighlight(ref: RefObject<HTMLElement | null>): boolean {
  const [highlight, setHighlight] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (onMount: boolean) => {
      if (Date.now() - requestedAt > REQUEST_TTL_MS) return;
      if (onMount) requestedAt = 0;
      const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      ref.current?.scrollIntoView({ behavior: reduced ? "auto" : "smooth", block: "start" });
      ref.current?.focus({ preventScroll: true });
      setHighlight(true);
      clearTimeout(timer);
      timer = setTimeout(() => setHighlight(false), 2400);
    };
    const onRequest = () => show(false);
    show(true);
    window.addEventListener(EVIDENCE_EVENT, onRequest);
    return () => {
      window.removeEventListener(EVIDENCE_EVENT, onRequest);
      clearTimeout(timer);
    };
  }, [ref]);
  return highlight;
}
