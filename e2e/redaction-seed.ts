import { randomUUID } from "node:crypto";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import { AGENT_EXPORT_FORMAT, AGENT_FORMAT_VERSION, type AgentExport } from "@/lib/agent/export-format.ts";
import { createAlertRule } from "@/lib/alerts/alert-rules.ts";
import { CreateAlertRuleSchema } from "@/lib/alerts/alert-rule-schemas.ts";
import { createAlertChannel } from "@/lib/alerts/channels/alert-channels.ts";
import type { Db } from "@/lib/db/client.ts";
import { EVENT_DEFAULTS, type ConnectionEvent } from "@/lib/events/connection-event.ts";
import { computeDedupeKey } from "@/lib/events/dedupe-key.ts";
import { addIncidentNote } from "@/lib/incidents/incidents.ts";
import { createManualIncident } from "@/lib/incidents/record-incidents.ts";
import { importAgentExport } from "@/lib/ingest/import-agent-export.ts";
import { recordIngestBatch } from "@/lib/ingest/record-events.ts";
import { corpusFields, corpusPayload, corpusText, corpusTextWithin, SECRET_CORPUS } from "@/lib/security/redact-corpus.ts";
import { createShareLink } from "@/lib/share/share-links.ts";

/** The device whose every text field carries every secret shape of lib/security/redact-corpus.ts. */
export const REDACTION_DEVICE_ID = "redaction-corpus-01";
/** Dead letters the seed stores: a rejected batch and a rejected agent upload. */
export const REDACTION_SEED_DEAD_LETTERS = 2;
/** Its own source, so an incident over its drop covers it alone. */
const SOURCE = "redaction-corpus";
const REDACTION_CODE = "connack:5";
const MINUTE = 60_000;

/** What e2e/redaction.spec.ts needs to fill path parameters; global setup passes it on in E2E_REDACTION_SEED. */
export type RedactionSeed = {
  deviceId: string;
  code: string;
  incidentId: string;
  importRunId: string;
  alertRuleId: string;
  probeEndpointId: string;
  deviceShareToken: string;
  incidentShareToken: string;
};

export const REDACTION_SEED_ENV = "E2E_REDACTION_SEED";

export function readRedactionSeed(): RedactionSeed {
  const text = process.env[REDACTION_SEED_ENV];
  if (!text) throw new Error(`${REDACTION_SEED_ENV} is not set: e2e/global-setup.ts did not run seedRedactionCorpus`);
  return JSON.parse(text) as RedactionSeed;
}

function corpusEvent(
  kind: ConnectionEvent["kind"],
  at: number,
  sessionKey: string | null,
  extra: Partial<ConnectionEvent>,
): ConnectionEvent {
  return {
    ...EVENT_DEFAULTS,
    deviceId: REDACTION_DEVICE_ID,
    kind,
    occurredAt: new Date(at),
    reason: kind === "connected" ? "connected" : "auth_failed",
    initiator: kind === "connected" ? "client" : "server",
    source: SOURCE,
    brokerNode: "emqx@10.0.0.9",
    sessionKey,
    clientIp: "10.20.0.99",
    username: corpusText(),
    message: kind === "connected" ? null : corpusText(),
    dedupeKey: computeDedupeKey("e2e-redaction", [REDACTION_DEVICE_ID, kind, at]),
    raw: { clientid: REDACTION_DEVICE_ID, ...corpusPayload(), extra: { note: corpusText("\n") } },
    ...extra,
  };
}

/** An agent export whose error messages and system-event details carry the corpus, one shape per entry. */
function buildAgentExport(now: number): AgentExport {
  const at = (index: number) => new Date(now - 50 * MINUTE + index * 1000).toISOString();
  const metrics: AgentExport["metrics"] = {
    connected: false,
    totalConnections: 1,
    totalDrops: SECRET_CORPUS.length,
    totalRecoveries: 0,
    totalConnectFailures: SECRET_CORPUS.length,
    sessionDurationSeconds: { min: 10, max: 60, average: 30 },
    currentUptimeSeconds: 0,
    dropsByError: { ECONNRESET: SECRET_CORPUS.length },
    attemptDistribution: {},
    publishedMessages: 10,
    queuedMessages: 0,
    droppedCommands: 0,
    systemEvents: SECRET_CORPUS.length,
    lastDropAt: at(0),
  };
  return {
    format: AGENT_EXPORT_FORMAT,
    version: AGENT_FORMAT_VERSION,
    deviceId: REDACTION_DEVICE_ID,
    agentId: "redaction-agent",
    exportedAt: new Date(now - 40 * MINUTE).toISOString(),
    config: {
      keepaliveSec: 60,
      initialReconnectDelayMs: 1000,
      maxReconnectDelayMs: 60_000,
      deepReconnectThreshold: 5,
      maxReconnectAttempts: -1,
      enableCommandQueue: true,
      maxQueuedCommands: 100,
    },
    metrics,
    recentDrops: SECRET_CORPUS.map((sample, index) => ({
      seq: index + 1,
      timestamp: at(index),
      errorName: "Error",
      errorCode: "ECONNRESET",
      errorMessage: sample.text.slice(0, 500),
      reconnectAttempt: 0,
      durationConnectedSeconds: 30,
      activeSubscriptions: 1,
      queuedCommands: 0,
      mqtt5ReasonCode: null,
    })),
    recentConnections: [],
    recentConnectFailures: SECRET_CORPUS.map((sample, index) => ({
      seq: 1000 + index,
      timestamp: at(100 + index),
      errorName: "ErrorWithReasonCode",
      errorMessage: `Connection refused: Not authorized (${sample.text})`.slice(0, 500),
      connackCode: 135,
      protocolVersion: 5,
      attemptNumber: index + 1,
      deep: false,
    })),
    recentSystemEvents: SECRET_CORPUS.map((sample, index) => ({
      seq: 2000 + index,
      timestamp: at(200 + index),
      type: "other",
      detail: sample.text.slice(0, 300),
    })),
  };
}

/**
 * Puts every secret shape of the corpus into every stored field that can carry text and that some page or API
 * reads: event message, username and raw payload, agent reports, dead letters (a rejected batch and a rejected
 * upload), an import run's error, an incident's title and note, the audit log, alert history and a webhook URL;
 * then shares the device and the incident. Runs in global setup, before the server starts.
 */
export async function seedRedactionCorpus(db: Db, now: number): Promise<RedactionSeed> {
  const connectedAt = now - 70 * MINUTE;
  const failedAt = now - 60 * MINUTE;
  const events = [
    corpusEvent("connected", connectedAt, String(connectedAt), { message: null, reason: "unknown" }),
    corpusEvent("disconnected", failedAt - MINUTE, String(connectedAt), { code: REDACTION_CODE, reason: "auth_failed" }),
    corpusEvent("connect_failed", failedAt, null, { code: REDACTION_CODE, reason: "not_authorized", flags: [corpusText()] }),
  ];
  await recordIngestBatch(db, {
    events,
    deadLetters: [
      {
        source: SOURCE,
        topic: `$SYS/brokers/emqx@10.0.0.9/clients/${SECRET_CORPUS[0]?.text ?? ""}/connected`,
        error: `payload rejected: ${corpusText()}`,
        payload: JSON.stringify(corpusPayload()),
      },
    ],
  });

  const agentExport = buildAgentExport(now);
  const imported = await importAgentExport(db, { deviceId: REDACTION_DEVICE_ID, body: JSON.stringify(agentExport) });
  if (imported.accepted === 0) throw new Error("seeding the redaction corpus: the agent export stored no reports");
  // A broken upload is kept whole as a dead letter.
  await importAgentExport(db, {
    deviceId: REDACTION_DEVICE_ID,
    body: JSON.stringify({ ...agentExport, version: 99, secrets: corpusPayload() }),
  }).catch(() => undefined);

  const importRun = await db.importRun.create({
    data: {
      fileSha256: "0".repeat(64),
      format: "mosquitto",
      bytes: 1n,
      fileName: `broker-${SECRET_CORPUS[0]?.text ?? ""}.log`,
      status: "failed",
      error: `line 3: ${corpusText()}`.slice(0, 4000),
    },
  });

  const incident = await createManualIncident(
    db,
    { from: new Date(failedAt - 5 * MINUTE), to: new Date(failedAt + 5 * MINUTE), source: SOURCE, title: corpusTextWithin(200) },
    { actor: CLI_ACTOR },
  );
  await addIncidentNote(db, { incidentId: incident.id, body: corpusText("\n") }, { actor: CLI_ACTOR });

  await recordAuditEvent(db, {
    action: "device.note",
    actor: CLI_ACTOR,
    ip: null,
    target: { type: "device", id: REDACTION_DEVICE_ID },
    details: { note: corpusText(), ...corpusFields() },
  });

  const channel = await createAlertChannel(
    db,
    {
      name: `Redaction corpus hook ${randomUUID().slice(0, 8)}`,
      type: "webhook",
      settings: {},
      secrets: { url: "https://bob:UrlPw0018@alerts.example.com/hook?token=CustAuthTok0009" },
    },
    { actor: CLI_ACTOR },
  );
  const rule = await createAlertRule(
    db,
    CreateAlertRuleSchema.parse({
      name: "Redaction corpus offline",
      kind: "device_offline_longer",
      params: { threshold: 60 },
      source: SOURCE,
      channelIds: [channel.id],
    }),
    { actor: CLI_ACTOR },
  );
  const history = await db.alertHistory.create({
    data: {
      ruleId: rule.id,
      ruleName: rule.name,
      ruleKind: "device_offline_longer",
      kind: "fired",
      subject: REDACTION_DEVICE_ID,
      message: `offline: ${corpusText()}`,
      link: "http://127.0.0.1/alerts/history",
      occurredAt: new Date(now - 30 * MINUTE),
    },
  });
  await db.alertDelivery.create({
    data: {
      historyId: history.id,
      channelId: channel.id,
      channelName: channel.name,
      channelType: "webhook",
      notification: {},
      status: "gave_up",
      attempts: 1,
      nextAttemptAt: new Date(now - 30 * MINUTE),
      error: `webhook failed: ${corpusText()}`,
    },
  });

  // A scheduled-probe endpoint whose stored password is a corpus secret: write-only, it must never be read back.
  const endpoint = await db.probeEndpoint.create({
    data: {
      name: `Redaction corpus broker ${randomUUID().slice(0, 8)}`,
      url: "mqtts://broker.example.com:8883",
      username: "corpus",
      password: SECRET_CORPUS[0]?.text ?? "",
      intervalMinutes: 5,
      enabled: false,
      source: SOURCE,
      createdBy: "cli",
    },
  });
  await db.probeRun.create({
    data: {
      endpointId: endpoint.id,
      startedAt: new Date(now - 20 * MINUTE),
      finishedAt: new Date(now - 20 * MINUTE + 900),
      ok: false,
      failedStep: "mqtt_connect",
      steps: [],
      explanation: "The broker refused the credentials.",
    },
  });

  const deviceLink = await createShareLink(db, {
    deviceId: REDACTION_DEVICE_ID,
    from: new Date(now - 2 * 60 * MINUTE),
    to: new Date(now),
    expiresInHours: 24,
    actor: CLI_ACTOR,
    ip: null,
    now: new Date(now),
  });
  const incidentLink = await createShareLink(db, {
    incidentId: incident.id,
    expiresInHours: 24,
    actor: CLI_ACTOR,
    ip: null,
    now: new Date(now),
  });

  return {
    deviceId: REDACTION_DEVICE_ID,
    code: REDACTION_CODE,
    incidentId: incident.id,
    importRunId: importRun.id.toString(),
    alertRuleId: rule.id,
    probeEndpointId: endpoint.id,
    deviceShareToken: deviceLink.token,
    incidentShareToken: incidentLink.token,
  };
}
