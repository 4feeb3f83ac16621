import type { APIRequestContext } from "@playwright/test";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createDb, type Db } from "@/lib/db/client.ts";
import { createIngestToken } from "@/lib/ingest/ingest-tokens.ts";

/**
 * Webhook ingest for live-update specs and the live benchmark: a fresh AWS IoT ingest token in the e2e
 * database, and presence events posted to POST /api/v1/ingest/aws-iot (the real route, writer and stream).
 */
export function openE2eDatabase(): Db {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set (e2e/global-setup.ts sets it)");
  return createDb(url, 1);
}

export async function createAwsIngestToken(db: Db): Promise<string> {
  return (await createIngestToken(db, { source: "aws-iot", label: "live e2e" }, CLI_ACTOR)).token;
}

let versionNumber = 0;
const sessions = new Map<string, number>();

/** An AWS IoT presence event, as its IoT rule would POST it; a disconnect closes the device's last connect's session. */
export function awsPresenceEvent(
  deviceId: string,
  eventType: "connected" | "disconnected",
  at: Date,
  disconnectReason = "CONNECTION_LOST",
) {
  // AWS pairs a disconnect with its connect by session identifier and versionNumber (one per connection).
  if (eventType === "connected" || !sessions.has(deviceId)) sessions.set(deviceId, ++versionNumber);
  const version = sessions.get(deviceId) ?? 0;
  return {
    clientId: deviceId,
    timestamp: at.getTime(),
    eventType,
    sessionIdentifier: `live-${version}`,
    principalIdentifier: "live-e2e",
    versionNumber: version,
    ...(eventType === "connected" ? { ipAddress: "192.0.2.7" } : { clientInitiatedDisconnect: false, disconnectReason }),
  };
}

export async function postAwsPresence(
  request: APIRequestContext,
  token: string,
  events: unknown[],
): Promise<{ accepted: number; rejected: number }> {
  const response = await request.post("/api/v1/ingest/aws-iot", { data: events, headers: { authorization: `Bearer ${token}` } });
  if (!response.ok()) throw new Error(`ingest answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as { accepted: number; rejected: number };
}
