import type { ProbeEndpoint } from "@/generated/prisma/client.ts";
import type { Actor } from "@/lib/auth/actor.ts";
import { recordAuditEvent } from "@/lib/auth/audit-log.ts";
import type { Db } from "@/lib/db/client.ts";
import { Prisma } from "@/lib/db/client.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "@/lib/errors/domain-errors.ts";
import { parseInput } from "@/lib/validation/parse-input.ts";
import {
  ProbeEndpointDefinitionSchema,
  ProbeEndpointIdPattern,
  type CreateProbeEndpoint,
  type ProbeEndpointDefinition,
  type UpdateProbeEndpoint,
} from "./probe-endpoint-schemas.ts";
import { readScheduledProbeTargets, refuseScheduledProbeUrl, type ScheduledProbeTargets } from "./scheduled-probe-targets.ts";

type By = { actor: Actor; ip?: string | null };
/** `targets`: the operator's lists the URL is checked against; read from the environment when not given. */
type SaveOptions = { targets?: ScheduledProbeTargets };
// A write and its audit row; generous because a loaded shared database can stall a few seconds.
const WRITE_TRANSACTION = { timeout: 15_000 };

/** An endpoint as the API and pages show it: the password never, only whether one is stored. */
export type ProbeEndpointView = ReturnType<typeof toEndpointView>;

function toEndpointView(endpoint: ProbeEndpoint) {
  return {
    id: endpoint.id,
    ...toDefinition(endpoint),
    hasPassword: endpoint.password !== null,
    nextRunAt: endpoint.nextRunAt,
    createdBy: endpoint.createdBy,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

function toDefinition(endpoint: ProbeEndpoint): ProbeEndpointDefinition {
  return {
    name: endpoint.name,
    url: endpoint.url,
    mqttVersion: endpoint.mqttVersion === 5 ? 5 : 4,
    clientId: endpoint.clientId,
    username: endpoint.username,
    caPem: endpoint.caPem,
    intervalMinutes: endpoint.intervalMinutes,
    enabled: endpoint.enabled,
    source: endpoint.source,
    brokerNode: endpoint.brokerNode,
  };
}

/** What the audit log keeps: never the password or the CA. */
function describeForAudit(definition: ProbeEndpointDefinition) {
  return {
    name: definition.name,
    url: definition.url,
    intervalMinutes: definition.intervalMinutes,
    enabled: definition.enabled,
    source: definition.source,
    brokerNode: definition.brokerNode,
  };
}

export async function listProbeEndpoints(db: Db): Promise<ProbeEndpointView[]> {
  const endpoints = await db.probeEndpoint.findMany({ orderBy: [{ name: "asc" }] });
  return endpoints.map(toEndpointView);
}

export async function getProbeEndpoint(db: Db, id: string): Promise<ProbeEndpointView | null> {
  if (!ProbeEndpointIdPattern.test(id)) return null;
  const endpoint = await db.probeEndpoint.findUnique({ where: { id } });
  return endpoint ? toEndpointView(endpoint) : null;
}

/** Refuses, when saved, a URL every run would refuse (loopback, private, metadata addresses the operator did not list). */
async function requireAllowedUrl(url: string, options: SaveOptions): Promise<void> {
  const refusal = await refuseScheduledProbeUrl(url, options.targets ?? readScheduledProbeTargets());
  if (refusal) {
    const message = `the server will not probe it: ${refusal}`;
    throw new InvalidInputError("probe_target_refused", `url: ${message}`, [{ path: "url", message }]);
  }
}

function rethrowNameTaken(error: unknown, name: string): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    throw new ConflictError("probe_endpoint_name_taken", `An endpoint named "${name}" already exists.`);
  }
  throw error;
}

export async function createProbeEndpoint(
  db: Db,
  input: CreateProbeEndpoint,
  by: By,
  options: SaveOptions = {},
): Promise<ProbeEndpointView> {
  const { password, ...definition } = input;
  await requireAllowedUrl(definition.url, options);
  try {
    return await db.$transaction(async (tx) => {
      const created = await tx.probeEndpoint.create({
        data: { ...definition, password: password ?? null, createdBy: by.actor.label, nextRunAt: new Date() },
      });
      await recordAuditEvent(tx, {
        action: "probe_endpoint.created",
        actor: by.actor,
        ip: by.ip,
        target: { type: "probe_endpoint", id: created.id },
        details: describeForAudit(definition),
      });
      return toEndpointView(created);
    }, WRITE_TRANSACTION);
  } catch (error) {
    rethrowNameTaken(error, definition.name);
  }
}

/** A partial change validated as a whole endpoint; a new URL, interval or re-enabling makes it due at once. */
export async function updateProbeEndpoint(
  db: Db,
  id: string,
  patch: UpdateProbeEndpoint,
  by: By,
  options: SaveOptions = {},
): Promise<ProbeEndpointView> {
  const { password, ...changes } = patch;
  if (changes.url !== undefined) await requireAllowedUrl(changes.url, options);
  try {
    return await db.$transaction(async (tx) => {
      const existing = ProbeEndpointIdPattern.test(id) ? await tx.probeEndpoint.findUnique({ where: { id } }) : null;
      if (!existing) throw new NotFoundError("probe_endpoint_not_found", `No probe endpoint ${id}.`);
      const definition = parseInput(ProbeEndpointDefinitionSchema, { ...toDefinition(existing), ...changes });
      const reschedule =
        definition.url !== existing.url ||
        definition.intervalMinutes !== existing.intervalMinutes ||
        (definition.enabled && !existing.enabled);
      const updated = await tx.probeEndpoint.update({
        where: { id },
        data: { ...definition, ...(password === undefined ? {} : { password }), ...(reschedule ? { nextRunAt: new Date() } : {}) },
      });
      await recordAuditEvent(tx, {
        action: "probe_endpoint.updated",
        actor: by.actor,
        ip: by.ip,
        target: { type: "probe_endpoint", id },
        details: { ...describeForAudit(definition), passwordChanged: password !== undefined, changed: Object.keys(patch).sort().join(",") },
      });
      return toEndpointView(updated);
    }, WRITE_TRANSACTION);
  } catch (error) {
    rethrowNameTaken(error, changes.name ?? "");
  }
}

/** Deletes the endpoint and its runs. */
export async function deleteProbeEndpoint(db: Db, id: string, by: By): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = ProbeEndpointIdPattern.test(id) ? await tx.probeEndpoint.findUnique({ where: { id }, select: { name: true } }) : null;
    if (!existing) throw new NotFoundError("probe_endpoint_not_found", `No probe endpoint ${id}.`);
    await tx.probeEndpoint.delete({ where: { id } });
    await recordAuditEvent(tx, {
      action: "probe_endpoint.deleted",
      actor: by.actor,
      ip: by.ip,
      target: { type: "probe_endpoint", id },
      details: { name: existing.name },
    });
  }, WRITE_TRANSACTION);
}
