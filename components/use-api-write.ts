"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { sendJson } from "./send-json.ts";

/** One write to one of our API routes: `body` as JSON, or as it is (a file's text) when `contentType` is given. */
export type ApiWrite = { method: "POST" | "PUT" | "PATCH" | "DELETE"; url: string; body?: unknown; contentType?: string };

type ApiWriteOptions = {
  /** Client queries the write changes: invalidated (and refetched while shown) before the mutation settles. */
  invalidates?: readonly QueryKey[];
  /** The page's server-rendered data changes too: re-render the server components (client state is kept). */
  refreshPage?: boolean;
};

/**
 * THE way the client writes: `const write = useApiWrite<Answer>({ invalidates: [alertKeys.rules] })`, then
 * `write.mutate({ method, url, body }, { onSuccess })`, and `<MutationError error={write.error} />` for failures.
 * Failures carry the API's error message (sendJson).
 */
export function useApiWrite<TResult = unknown>({ invalidates = [], refreshPage = false }: ApiWriteOptions = {}) {
  const queryClient = useQueryClient();
  const router = useRouter();
  return useMutation<TResult | null, Error, ApiWrite>({
    mutationFn: (write) => sendJson<TResult>(write.method, write.url, write.body, write.contentType),
    onSuccess: async () => {
      if (refreshPage) router.refresh();
      await Promise.all(invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
}
