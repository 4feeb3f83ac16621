/**
 * Client-side write to one of our API routes; failures throw with the API's error message. A `contentType` sends
 * `body` (then a string, e.g. an uploaded file's text) as it is instead of as JSON.
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
    try {
      const parsed = (await response.json()) as { error?: { message?: string } };
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      // Not our JSON envelope: keep the status line.
    }
    throw new Error(message);
  }
  return response.status === 204 ? null : ((await response.json()) as T);
}
