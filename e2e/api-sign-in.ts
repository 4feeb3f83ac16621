import { request as playwrightRequest, type APIRequestContext, type APIResponse } from "@playwright/test";

type Credentials = { email: string; password: string };

/** Posts `credentials` to next-auth's credentials callback with a fresh CSRF token, as the sign-in form does. */
export async function postCredentials(
  context: APIRequestContext,
  { email, password }: Credentials,
  { maxRedirects }: { maxRedirects?: number } = {},
): Promise<APIResponse> {
  const { csrfToken } = (await (await context.get("/api/auth/csrf")).json()) as { csrfToken: string };
  return context.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    ...(maxRedirects === undefined ? {} : { maxRedirects }),
  });
}

/**
 * Signs in on `origin` through next-auth's endpoints in a new, signed-out API context; answers the context (the
 * caller disposes it) and the error next-auth sent the client to (`null` when signed in, `"rate_limited"` for 429).
 * next-auth answers a refused sign-in 401 with the same JSON body, so the status alone says nothing here.
 */
export async function signInThroughApi(
  origin: string,
  credentials: Credentials,
): Promise<{ context: APIRequestContext; error: string | null }> {
  const context = await playwrightRequest.newContext({ baseURL: origin, storageState: { cookies: [], origins: [] } });
  const response = await postCredentials(context, credentials);
  // A limited account or address is answered 429 before next-auth runs (app/api/auth/[...nextauth]/route.ts).
  if (response.status() === 429) return { context, error: "rate_limited" };
  const { url } = (await response.json()) as { url: string };
  return { context, error: new URL(url, origin).searchParams.get("error") };
}
