import type { Db } from "@/lib/db/client.ts";
import { NotFoundError } from "@/lib/errors/domain-errors.ts";
import { IncidentIdPattern } from "./incidents.ts";

export function createIncidentNotFoundError(id: string): NotFoundError {
  return new NotFoundError("incident_not_found", `No incident ${id}.`);
}

/** Throws the 404 envelope unless the incident exists. */
export async function requireIncident(db: Db, id: string): Promise<void> {
  if (!IncidentIdPattern.test(id) || (await db.incident.count({ where: { id } })) === 0) throw createIncidentNotFoundError(id);
}
