/**
 * The `test` and `expect` every spec imports: import from "./fixtures.ts", never from "@playwright/test".
 * Every test runs signed in as a viewer (playwright.config.ts `storageState`, written by global setup).
 * `test.use(asRole("admin"))` switches a file or describe block to another role; `test.use(anonymous)` signs out.
 */
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import type { Role } from "@/lib/auth/roles.ts";
import { readE2eCredentials, storageStatePath } from "./auth-state.ts";

export { expect, test, type Page } from "@playwright/test";

export function asRole(role: Role): { storageState: string } {
  return { storageState: storageStatePath(role) };
}

export const anonymous = { storageState: { cookies: [], origins: [] } };

export const credentialsFor = (role: Role) => readE2eCredentials()[role];

/** An API client signed in as `role`, or anonymous with `null`. Dispose it when done. */
export async function createApiClient(baseURL: string, role: Role | null, extraHTTPHeaders?: Record<string, string>): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL,
    // Explicitly empty for anonymous: new contexts otherwise inherit the config's signed-in storageState.
    storageState: role ? storageStatePath(role) : anonymous.storageState,
    ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
  });
}
