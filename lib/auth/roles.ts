import { z } from "zod";

/** Ordered from least to most privileged: each role can do everything the roles before it can. */
export const ROLES = ["viewer", "support", "admin"] as const;
export const RoleSchema = z.enum(ROLES, { error: "must be one of viewer, support, admin" });
export type Role = z.infer<typeof RoleSchema>;

export function hasRole(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** The less privileged of two roles. */
export function lowerRole(a: Role, b: Role): Role {
  return hasRole(a, b) ? b : a;
}
