/** One problem the API named with the input it is about: `path` is the field (`name`, `params.threshold`). */
export type FieldIssue = { path: string; message: string };

/** A refused write: the API's message, and the fields it named (its `details`, when they are field issues). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fieldIssues: readonly FieldIssue[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function readFieldIssues(details: unknown): FieldIssue[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (item): item is FieldIssue =>
      typeof item === "object" && item !== null && typeof item.path === "string" && item.path !== "" && typeof item.message === "string",
  );
}

/**
 * Client-side write to one of our API routes; failures throw an ApiError with the API's error message. A
 * `contentType` sends `body` (then a string, e.g. an uploaded file's text) as it is instead of as JSON.
 */
export async function sendJson<T>(
  method: "POST" | "PUT" | "PATCH" | "DELETE",
  url: string,
  body?: unknown,
  contentType?: string,
): Promise<T | null> {
  const raw = contentType !== undefined;
  const response = await fetch(url, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": contentType ?? "application/json" }) },
    body: body === undefined ? null : raw ? String(body) : JSON.stringify(body),
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let issues: FieldIssue[] = [];
    try {
      const parsed = (await response.json()) as { error?: { message?: string; details?: unknown } };
      if (parsed.error?.message) message = parsed.error.message;
      issues = readFieldIssues(parsed.error?.details);
    } catch {
      // Not our JSON envelope: keep the status line.
    }
    throw new ApiError(message, response.status, issues);
  }
  return response.status === 204 ? null : ((await response.json()) as T);
}
