"use client";

import type { RefObject } from "react";
import { useInvalidFieldMarks } from "./use-invalid-field-marks.ts";

type MutationErrorProps = {
  error: Error | string | null | undefined;
  /** The form whose fields the refusal names: they get aria-invalid and are described by this message. */
  form?: RefObject<HTMLFormElement | null>;
};

/** The one display of a failed write (or any client-side action): the API's message, announced. */
export function MutationError({ error, form }: MutationErrorProps) {
  const id = useInvalidFieldMarks(form, error);
  if (!error) return null;
  return (
    <p role="alert" className="error-text" id={id}>
      {typeof error === "string" ? error : error.message}
    </p>
  );
}
