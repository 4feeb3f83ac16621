import { toJsonText } from "@/lib/json/json-text.ts";

/** The JSON form of a value: dates become ISO strings and bigints become decimal strings. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends bigint
    ? string
    : T extends ReadonlyArray<infer U>
      ? Jsonify<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonify<T[K]> }
        : T;

/** What the API would send for `value`, for server components that hand initial data to client queries. */
export function serializeForClient<T>(value: T): Jsonify<T> {
  return JSON.parse(toJsonText(value)) as Jsonify<T>;
}

export function createJsonResponse(value: unknown, init?: ResponseInit): Response {
  const headers = new Headers(init?.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(toJsonText(value), { ...init, headers });
}
