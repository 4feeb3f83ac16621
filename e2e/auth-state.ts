import { readFileSync } from "node:fs";
import path from "node:path";
import type { Role } from "@/lib/auth/roles.ts";

/** Written by global setup: the signed-in browser state and the credentials of one user per role. */
export const AUTH_DIR = path.resolve(import.meta.dirname, ".auth");

export function storageStatePath(role: Role): string {
  return path.join(AUTH_DIR, `${role}.json`);
}

export type E2eCredentials = Record<Role, { email: string; password: string }>;

export function readE2eCredentials(): E2eCredentials {
  return JSON.parse(readFileSync(path.join(AUTH_DIR, "credentials.json"), "utf8")) as E2eCredentials;
}
