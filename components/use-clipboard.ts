"use client";

import { useState } from "react";

export type CopyState = "idle" | "copied" | "failed";

/** Copies text to the clipboard; `failed` when the browser refuses (insecure origin, denied permission). */
export function useClipboard(): [CopyState, (text: string) => Promise<void>] {
  const [state, setState] = useState<CopyState>("idle");
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }
  return [state, copy];
}
