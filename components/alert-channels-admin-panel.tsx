import { listAlertChannels } from "@/lib/alerts/channels/alert-channels.ts";
import { getDb } from "@/lib/db/client.ts";
import { serializeForClient } from "@/lib/http/json.ts";
import { AlertChannelsPanel } from "./alert-channels-panel.tsx";

/** Loads the channels (secrets masked) for the admin panel on /alerts; the page renders it for admins only. */
export async function AlertChannelsAdminPanel() {
  const channels = await listAlertChannels(getDb());
  return <AlertChannelsPanel initialData={{ channels: serializeForClient(channels) }} />;
}
