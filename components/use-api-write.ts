"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useRef } from "react";
import { sendJson } from "./send-json.ts";

/** One write to one of our API routes: `body` as JSON, or as it is (a file's text) when `contentType` is given. */
export type ApiWrite = { method: "POST" | "PUT" | "PATCH" | "DELETE"; url: string; body?: unknown; contentType?: string };

type ApiWriteOptions = {
  /** Client queries the write changes: invalidated (and refetched while shown) before the mutation settles. */
  invalidates?: readonly QueryKey[];
  /** The page's server-rendered data changes too: re-render the server components (client state is kept). */
  refreshPage?: boolean;
};

function identify(write: ApiWrite): string {
  return JSON.stringify([write.method, write.url, write.contentType ?? null, write.body ?? null]);
}

/**
 * THE way the client writes: `const write = useApiWrite<Answer>({ invalidates: [alertKeys.rules] })`, then
 * `write.mutate({ method, url, body }, { onSuccess })`, and `<MutationError error={write.error} />` for failures.
 * Failures carry the API's error message and field issues (sendJson's ApiError).
 *
 * The same write sent again while it is in flight is dropped: a double click lands both clicks before React has
 * re-rendered the button as disabled, so `isPending` alone let a double-clicked form create two of everything.
 */
export function useApiWrite<TResult = unknown>({ invalidates = [], refreshPage = false }: ApiWriteOptions = {}) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const inFlight = useRef(new Set<string>());
  const mutation = useMutation<TResult | null, Error, ApiWrite>({
    mutationFn: async (write) => {
      try {
        return await sendJson<TResult>(write.method, write.url, write.body, write.contentType);
      } finally {
        inFlight.current.delete(identify(write));
      }
    },
    onSuccess: async () => {
      if (refreshPage) router.refresh();
      await Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
  const { mutate: send } = mutation;
  const mutate = useCallback<typeof send>(
    (write, options) => {
      const key = identify(write);
      if (inFlight.current.has(key)) return;
      inFlight.current.add(key);
      send(write, options);
    },
    [send],
  );
  return { ...mutation, mutate };
}
