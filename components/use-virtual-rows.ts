"use client";

import { useEffect, useRef, useState } from "react";

/**
 * Windowing for a scrolling container of fixed-height rows: which rows are visible (plus `overscan` on
 * each side) and the padding that stands in for the rest, so the DOM holds a few dozen rows whatever the count.
 */
export function useVirtualRows({ count, rowHeight, overscan = 10 }: { count: number; rowHeight: number; overscan?: number }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 640 });

  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    let frame = 0;
    const measure = () => {
      frame = 0;
      setViewport((current) =>
        current.top === element.scrollTop && current.height === element.clientHeight
          ? current
          : { top: element.scrollTop, height: element.clientHeight },
      );
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    element.addEventListener("scroll", onScroll, { passive: true });
    const observer = new ResizeObserver(onScroll);
    observer.observe(element);
    return () => {
      element.removeEventListener("scroll", onScroll);
      observer.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);

  const start = Math.max(0, Math.floor(viewport.top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((viewport.top + viewport.height) / rowHeight) + overscan);
  return { scrollRef, start, end, paddingTop: start * rowHeight, paddingBottom: Math.max(0, count - end) * rowHeight };
}
