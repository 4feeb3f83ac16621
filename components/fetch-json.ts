/** Client-side GET of one of our API routes; failures throw with the API's error message. */
export async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: "application/json" } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not our JSON envelope (e.g. a proxy error page): keep the status line.
    }
    throw new Error(message);
  }
  return (await response.json()) as T;
}
