"use client";

import { useEffect, useId, type RefObject } from "react";
import { ApiError } from "./send-json.ts";

type Described = HTMLElement & { name?: string };

/** The field an issue's path names: the whole path, its first key (`params` of `params.threshold`) or its last (`url` of `secrets.url`). */
function fieldNamed(form: HTMLFormElement, path: string): Described | null {
  const keys = path.split(".");
  for (const name of [path, keys[0], keys.at(-1)]) {
    if (!name) continue;
    const found = form.elements.namedItem(name);
    if (found instanceof RadioNodeList && found[0] instanceof HTMLElement) return found[0];
    if (found instanceof HTMLElement) return found;
  }
  return null;
}

/**
 * Marks the fields of `form` an API refusal named (`aria-invalid`, and `aria-describedby` pointing at the message),
 * so a screen reader on the field hears what is wrong with it; returns the undo for the next attempt.
 */
function markInvalidFields(form: HTMLFormElement | null | undefined, error: unknown, messageId: string): () => void {
  if (!form || !(error instanceof ApiError)) return () => {};
  const marked = new Set<Described>();
  for (const issue of error.fieldIssues) {
    const field = fieldNamed(form, issue.path);
    if (field) marked.add(field);
  }
  for (const field of marked) {
    field.setAttribute("aria-invalid", "true");
    const describedBy = (field.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    if (!describedBy.includes(messageId)) field.setAttribute("aria-describedby", [...describedBy, messageId].join(" "));
  }
  return () => {
    for (const field of marked) {
      field.removeAttribute("aria-invalid");
      const rest = (field.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== messageId);
      if (rest.length > 0) field.setAttribute("aria-describedby", rest.join(" "));
      else field.removeAttribute("aria-describedby");
    }
  };
}

/**
 * For a form that shows a write's refusal: marks the fields it names until the next attempt, and returns the id the
 * element announcing the message must carry (they are described by it).
 */
export function useInvalidFieldMarks(form: RefObject<HTMLFormElement | null> | undefined, error: unknown): string {
  const messageId = useId();
  useEffect(() => markInvalidFields(form?.current, error, messageId), [form, error, messageId]);
  return messageId;
}
