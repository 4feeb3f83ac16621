import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createApiToken, revokeApiToken } from "@/lib/auth/api-tokens.ts";
import { resolveActor, type AuthenticatedActor } from "@/lib/auth/principal.ts";
import { createUser, endSession, updateUser } from "@/lib/auth/users.ts";
import { RateLimitedError } from "@/lib/errors/domain-errors.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { createLiveHub, type LiveHub } from "./live-hub.ts";
import { MAX_LIVE_STREAMS_PER_CALLER, openAuthorizedLiveStream } from "./open-authorized-live-stream.ts";

const SECRET = randomBytes(32).toString("base64url");
const database = useTestDatabase();
let hub: LiveHub;

beforeAll(() => {
  process.env.NEXTAUTH_SECRET = SECRET;
  process.env.NEXTAUTH_URL = "http://127.0.0.1:3000";
  hub = createLiveHub(database.db);
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@example.test`;

async function signedIn(label: string): Promise<{ headers: Headers; userId: string; sessionId: string }> {
  const user = await createUser(database.db, { email: uniqueEmail(label), password: `pw-${randomUUID()}` }, CLI_ACTOR);
  const sessionId = randomUUID();
  const jwt = await encode({ token: { sub: user.id, sv: 0, sid: sessionId }, secret: SECRET });
  return { headers: new Headers({ cookie: `next-auth.session-token=${jwt}` }), userId: user.id, sessionId };
}

/** Opens a stream as the route does (after handleRoute resolved the caller) and reads it until it ends. */
async function open(headers: Headers, heartbeatMs = 50) {
  const actor = (await resolveActor(database.db, headers)) as AuthenticatedActor;
  expect(actor).not.toBeNull();
  const abort = new AbortController();
  const request = new Request("http://127.0.0.1:3000/api/v1/live", { headers, signal: abort.signal });
  const response = openAuthorizedLiveStream(database.db, hub, request, actor, { heartbeatMs });
  const reader = response.body!.getReader();
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return { response, ended, close: () => abort.abort() };
}

describe("the live stream of a signed-in caller", () => {
  it("ends once the user is disabled, the session signed out, or the token revoked", async () => {
    const disabled = await signedIn("live-disabled");
    const stream = await open(disabled.headers);
    expect(stream.response.status).toBe(200);
    await updateUser(database.db, disabled.userId, { disabled: true }, CLI_ACTOR);
    expect(await stream.ended).toBe(true);

    const signedOut = await signedIn("live-signed-out");
    const second = await open(signedOut.headers);
    await endSession(database.db, {
      sessionId: signedOut.sessionId,
      userId: signedOut.userId,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    expect(await second.ended).toBe(true);

    const { token, apiToken } = await createApiToken(database.db, { name: "live", role: "viewer" }, CLI_ACTOR);
    const third = await open(new Headers({ authorization: `Bearer ${token}` }));
    await revokeApiToken(database.db, apiToken.id, CLI_ACTOR);
    expect(await third.ended).toBe(true);
  });

  it(`holds at most ${MAX_LIVE_STREAMS_PER_CALLER} streams per caller, and frees a place when one closes`, async () => {
    const user = await signedIn("live-many");
    const streams = await Promise.all(Array.from({ length: MAX_LIVE_STREAMS_PER_CALLER }, () => open(user.headers, 60_000)));
    await expect(open(user.headers, 60_000)).rejects.toBeInstanceOf(RateLimitedError);
    const other = await open((await signedIn("live-other")).headers, 60_000);

    streams[0]!.close();
    await streams[0]!.ended;
    const replacement = await open(user.headers, 60_000);
    for (const stream of [...streams.slice(1), other, replacement]) {
      stream.close();
      await stream.ended;
    }
    expect(hub.subscriberCount()).toBe(0);
  });
});
