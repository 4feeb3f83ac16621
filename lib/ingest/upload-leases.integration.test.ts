import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "@/lib/auth/actor.ts";
import { createApiToken } from "@/lib/auth/api-tokens.ts";
import { createDb } from "@/lib/db/client.ts";
import { createDevice, makeAgentExport } from "@/lib/testing/factories.ts";
import { useTestDatabase } from "@/lib/testing/use-test-database.ts";
import { waitFor } from "@/lib/testing/wait-for.ts";
import { acquireUploadLease, UPLOAD_BOUNDS, type UploadLease } from "./upload-leases.ts";

// Concurrent uploads are bounded per uploader and overall, in Postgres, so two web processes share the bounds; a lease
// ends with its upload, however it ends, or expires with the process that held it (decision 085).
const testDb = useTestDatabase();
const FILE = UPLOAD_BOUNDS["file-import"];
const DEVICE = UPLOAD_BOUNDS["device-upload"];
let imports: typeof import("@/app/api/v1/imports/route.ts");
let evidence: typeof import("@/app/api/v1/devices/[deviceId]/evidence/route.ts");
let agentExport: typeof import("@/app/api/v1/devices/[deviceId]/agent-export/route.ts");

beforeAll(async () => {
  process.env.DATABASE_URL = testDb.url;
  imports = await import("@/app/api/v1/imports/route.ts");
  evidence = await import("@/app/api/v1/devices/[deviceId]/evidence/route.ts");
  agentExport = await import("@/app/api/v1/devices/[deviceId]/agent-export/route.ts");
});

afterAll(async () => {
  const { getDb } = await import("@/lib/db/client.ts");
  await getDb().$disconnect();
});

/** An upload body the test decides when to finish: the route holds its lease while it reads. */
function heldBody(head: string) {
  let finish: (tail: string) => void = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
      finish = (tail) => {
        controller.enqueue(new TextEncoder().encode(tail));
        controller.close();
      };
    },
  });
  return { stream, finish: (tail = "") => finish(tail) };
}

async function supportToken(): Promise<string> {
  return (await createApiToken(testDb.db, { name: `uploader ${randomUUID()}`, role: "support", expiresInDays: null }, CLI_ACTOR)).token;
}

function postImport(token: string, body: ReadableStream<Uint8Array>, name: string) {
  return imports.POST(
    new Request(`http://127.0.0.1/api/v1/imports?format=mosquitto&name=${name}`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      duplex: "half",
    } as RequestInit),
    {},
  );
}

const activeLeases = (kind: string) => testDb.db.uploadLease.count({ where: { kind, expiresAt: { gt: new Date() } } });

function mosquittoLog(device: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${now}: New client connected from 10.0.0.1:5000 as ${device} (p2, c1, k60).\n${now + 1}: Client ${device} closed its connection.\n`;
}

describe("upload leases", () => {
  it("bound each uploader (429) and everyone together (503), and free a place when released", async () => {
    const uploader = `user:${randomUUID()}`;
    const mine: UploadLease[] = [];
    for (let i = 0; i < FILE.perUploader; i++) mine.push(await acquireUploadLease(testDb.db, { kind: "file-import", uploader }));
    const refused = acquireUploadLease(testDb.db, { kind: "file-import", uploader });
    await expect(refused).rejects.toMatchObject({ kind: "rate_limited", code: "too_many_uploads", retryAfterSeconds: 30 });
    await expect(refused).rejects.toThrow(/already have 2 file imports in progress/);

    const others: UploadLease[] = [];
    for (let i = FILE.perUploader; i < FILE.overall; i++)
      others.push(await acquireUploadLease(testDb.db, { kind: "file-import", uploader: `user:${randomUUID()}` }));
    await expect(acquireUploadLease(testDb.db, { kind: "file-import", uploader: `user:${randomUUID()}` })).rejects.toMatchObject({
      kind: "unavailable",
      code: "uploads_busy",
      message: expect.stringContaining("the most the server runs at once"),
    });
    // Device uploads have their own places.
    await (await acquireUploadLease(testDb.db, { kind: "device-upload", uploader })).release();

    await mine[0]?.release();
    await mine[0]?.release(); // a second release changes nothing
    const again = await acquireUploadLease(testDb.db, { kind: "file-import", uploader });
    for (const lease of [again, ...mine, ...others]) await lease.release();
    expect(await activeLeases("file-import")).toBe(0);
  });

  it("are shared by two web processes: a concurrent rush of acquisitions through two pools gets exactly the bound", async () => {
    const second = createDb(testDb.url, 4);
    try {
      const rush = await Promise.allSettled(
        Array.from({ length: 3 * DEVICE.overall }, (_, i) =>
          acquireUploadLease(i % 2 === 0 ? testDb.db : second, { kind: "device-upload", uploader: `user:${randomUUID()}` }),
        ),
      );
      const granted = rush.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
      expect(granted).toHaveLength(DEVICE.overall);
      for (const lease of granted) await lease.release();
    } finally {
      await second.$disconnect();
    }
  });

  it("of a process that died expire and count for no one; a live one is renewed past its first expiry", async () => {
    const uploader = `user:${randomUUID()}`;
    // What a killed process leaves: leases nobody renews, whose time has run out.
    await testDb.db.uploadLease.createMany({
      data: Array.from({ length: FILE.overall }, () => ({
        id: randomUUID(),
        kind: "file-import",
        holder: uploader,
        expiresAt: new Date(Date.now() - 1000),
      })),
    });
    const lease = await acquireUploadLease(testDb.db, { kind: "file-import", uploader, leaseMs: 400 });
    expect(await testDb.db.uploadLease.count({ where: { holder: uploader } })).toBe(1);
    const first = await testDb.db.uploadLease.findUniqueOrThrow({ where: { id: lease.id } });
    const renewed = await waitFor(
      () => testDb.db.uploadLease.findUnique({ where: { id: lease.id } }),
      (row) => row !== null && row.expiresAt.getTime() > first.expiresAt.getTime() + 400,
    );
    expect(renewed?.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime() + 400);
    await lease.release();
    expect(await testDb.db.uploadLease.count({ where: { id: lease.id } })).toBe(0);
  });
});

describe("upload routes", () => {
  it("POST /api/v1/imports: a third concurrent upload of one uploader is a 429 before its body is read; the place comes back when an import ends", async () => {
    const token = await supportToken();
    const held = [heldBody(""), heldBody("")];
    const running = held.map((body, i) => postImport(token, body.stream, `held-${i}.log`));
    expect(
      await waitFor(
        () => activeLeases("file-import"),
        (count) => count === FILE.perUploader,
      ),
    ).toBe(FILE.perUploader);
    const third = heldBody("never read");
    const refused = await postImport(token, third.stream, "third.log");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({
      error: { code: "too_many_uploads", message: expect.stringContaining("wait until one ends") },
    });

    // One upload fails (an empty file), the other imports to its end: both give their places back.
    held[0]?.finish();
    const device = `lease-${randomUUID().slice(0, 8)}`;
    held[1]?.finish(mosquittoLog(device));
    const [failed, accepted] = await Promise.all(running);
    expect(failed?.status).toBe(400);
    expect(accepted?.status).toBe(202);
    expect(
      await waitFor(
        () => activeLeases("file-import"),
        (count) => count === 0,
      ),
    ).toBe(0);
    const done = heldBody(mosquittoLog(`${device}-again`));
    done.finish();
    expect((await postImport(token, done.stream, "after.log")).status).toBe(202);
    expect(
      await waitFor(
        () => activeLeases("file-import"),
        (count) => count === 0,
      ),
    ).toBe(0);
  });

  it("device uploads (evidence, agent export) share a bound per uploader and release it when they end", async () => {
    const token = await supportToken();
    const deviceId = `lease-device-${randomUUID().slice(0, 8)}`;
    await createDevice(testDb.db, { id: deviceId });
    const params = { params: Promise.resolve({ deviceId }) };
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const body = JSON.stringify(makeAgentExport(deviceId));
    const held = Array.from({ length: DEVICE.perUploader }, () => heldBody(body));
    const running = held.map((upload, i) =>
      (i % 2 === 0 ? evidence : agentExport).POST(
        new Request(`http://127.0.0.1/api/v1/devices/${deviceId}/${i % 2 === 0 ? "evidence" : "agent-export"}`, {
          method: "POST",
          body: upload.stream,
          headers,
          duplex: "half",
        } as RequestInit),
        params,
      ),
    );
    expect(
      await waitFor(
        () => activeLeases("device-upload"),
        (count) => count === DEVICE.perUploader,
      ),
    ).toBe(DEVICE.perUploader);
    const refused = await agentExport.POST(
      new Request(`http://127.0.0.1/api/v1/devices/${deviceId}/agent-export`, { method: "POST", body, headers }),
      params,
    );
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: "too_many_uploads" } });

    for (const upload of held) upload.finish();
    expect((await Promise.all(running)).map((response) => response.status)).toEqual(held.map(() => 200));
    expect(await activeLeases("device-upload")).toBe(0);
    const after = await agentExport.POST(
      new Request(`http://127.0.0.1/api/v1/devices/${deviceId}/agent-export`, { method: "POST", body, headers }),
      params,
    );
    expect(after.status).toBe(200);
  });
});
