"use client";

import { useQuery } from "@tanstack/react-query";
import type { AlertChannelView } from "@/lib/alerts/channels/alert-channels.ts";
import type { Jsonify } from "@/lib/http/json.ts";
import { fetchJson } from "./fetch-json.ts";

export type AlertChannelRow = Jsonify<AlertChannelView>;
export type AlertChannelsResponse = { channels: AlertChannelRow[] };

export const ALERT_CHANNELS_KEY = ["alert-channels"] as const;

export function useAlertChannels(initialData?: AlertChannelsResponse) {
  return useQuery({
    queryKey: ALERT_CHANNELS_KEY,
    queryFn: ({ signal }) => fetchJson<AlertChannelsResponse>("/api/v1/alerts/channels", signal),
    ...(initialData ? { initialData } : {}),
  });
}
