"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { LiveUpdatesProvider } from "./live-updates-provider.tsx";

/** TanStack Query for the app; with `live` (signed-in users) also the live-update stream that refreshes live queries. */
export function QueryProvider({ live, children }: { live: boolean; children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 4000, retry: 1, refetchOnWindowFocus: true },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <LiveUpdatesProvider enabled={live}>{children}</LiveUpdatesProvider>
    </QueryClientProvider>
  );
}
