"use client";

import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useApiWrite, type ApiWrite } from "./use-api-write.ts";

type DeviceFileUploadProps<TAnswer> = {
  /** The file input's visible label. */
  label: string;
  inputName: string;
  accept: string;
  className?: string;
  /** Shown when the form is sent without a file. */
  missingFileText: string;
  /** More inputs between the file and the button (e.g. a format choice). */
  extraFields?: ReactNode;
  /** The request for the chosen file, or a sentence saying why the file cannot be sent. */
  toRequest: (file: File, form: HTMLFormElement) => Promise<ApiWrite | string>;
  /** The sentence for the API's answer. */
  describe: (answer: TAnswer | null) => string;
};

/**
 * The device page's file uploads (agent export, device evidence, probe report): choose a file, send it, say what
 * was stored, and refresh the page's server-rendered panels.
 */
export function DeviceFileUpload<TAnswer>({
  label,
  inputName,
  accept,
  className,
  missingFileText,
  extraFields,
  toRequest,
  describe,
}: DeviceFileUploadProps<TAnswer>) {
  const inputId = useId();
  const upload = useApiWrite<TAnswer>({ refreshPage: true });
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.namedItem(inputName);
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    upload.reset();
    setProblem(null);
    if (!file) {
      setProblem(missingFileText);
      return;
    }
    setReading(true);
    const request = await toRequest(file, form).finally(() => setReading(false));
    if (typeof request === "string") setProblem(request);
    else upload.mutate(request);
  }

  const busy = reading || upload.isPending;
  const failure = problem ?? upload.error?.message ?? null;
  const text = failure ?? (upload.isSuccess ? describe(upload.data) : null);
  return (
    <form className={["agent-upload", className].filter(Boolean).join(" ")} onSubmit={(event) => void submit(event)}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} name={inputName} type="file" accept={accept} />
      {extraFields}
      <button className="button button-small" type="submit" disabled={busy}>
        {busy ? "Uploading…" : "Upload"}
      </button>
      {text !== null ? (
        <p role="status" className={failure !== null ? "upload-error" : "muted"}>
          {text}
        </p>
      ) : null}
    </form>
  );
}
