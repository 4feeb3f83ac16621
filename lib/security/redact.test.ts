import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CORPUS_SECRETS, SECRET_CORPUS, corpusPayload, corpusText } from "./redact-corpus.ts";
import { LINKSCOPE_TOKEN_PREFIXES, REDACTED, redactSecrets, redactText } from "./redact.ts";

const leaks = (text: string, secrets: readonly string[]) => secrets.filter((secret) => text.includes(secret));

describe("redactText over the secret corpus", () => {
  for (const sample of SECRET_CORPUS) {
    it(`removes ${sample.name} from free text`, () => {
      expect(leaks(redactText(sample.text), sample.secrets)).toEqual([]);
    });
    if (sample.json) {
      it(`removes ${sample.name} from a JSON payload, as an object and as text`, () => {
        expect(leaks(JSON.stringify(redactSecrets(sample.json)), sample.secrets)).toEqual([]);
        expect(leaks(redactText(JSON.stringify(sample.json)), sample.secrets)).toEqual([]);
        // A payload kept as a string inside JSON (dead letters, double-encoded webhooks): quotes and line breaks escaped.
        expect(leaks(redactText(JSON.stringify(JSON.stringify(sample.json))), sample.secrets)).toEqual([]);
      });
    }
  }

  it("removes every secret when all shapes share one line, one payload or one escaped payload", () => {
    expect(leaks(redactText(corpusText()), CORPUS_SECRETS)).toEqual([]);
    expect(leaks(redactText(corpusText("\n")), CORPUS_SECRETS)).toEqual([]);
    expect(leaks(JSON.stringify(redactSecrets(corpusPayload())), CORPUS_SECRETS)).toEqual([]);
    expect(leaks(redactText(JSON.stringify(corpusPayload())), CORPUS_SECRETS)).toEqual([]);
    expect(leaks(redactText(JSON.stringify({ payload: JSON.stringify(corpusPayload()) })), CORPUS_SECRETS)).toEqual([]);
    expect(
      leaks(JSON.stringify(redactSecrets({ username: corpusText(), message: corpusText(), raw: [corpusPayload()] })), CORPUS_SECRETS),
    ).toEqual([]);
  });
});

describe("redactText keeps what is not a credential", () => {
  const benign = [
    "Connection Refused: bad user name or password.",
    "Client <unknown> disconnected, not authorised.",
    "Protocol error from 10.0.0.5: password without username, closing connection.",
    "SAS token expired, renew token or certificate and reconnect",
    "[16] mqtt: SERVER: The authorization token expired.",
    "The server closes MQTT connections a few seconds after exp at 13:21:00",
    "HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessKeyName=iothubowner",
    "devices/sensor-01/messages/events/ keepalive 60 reason keepalive_timeout code azure:404104",
    "basic authentication failed for client sensor-17",
    "lsk_AbCdEf (API token prefix) and ingest ID lsit_a1b2c3d4e5",
    "sha1 0a4d55a8d778e5022fab701977c5d840bbc486d0 of the firmware",
    "CONNACK: bad user name or password (3.1.1 code 4)",
    "Bad user name or password (0x86)",
    "If it is followed by 404104 and a reconnect within 60 s, it is the SDK renewing its SAS token: expected",
    "AUTH: enhanced authentication continues",
    "Decode the token: expiry, audience, algorithm and base64url encoding (see /tools/jwt)",
  ];
  for (const text of benign) {
    it(`leaves "${text}" alone`, () => {
      expect(redactText(text)).toBe(text);
    });
  }

  it("keeps non-secret keys and values, dates and bigints of structured values", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const value = {
      occurredAt: at,
      id: 12n,
      keepalive: 60,
      clientid: "sensor-1",
      reason: "keepalive_timeout",
      sessionKey: "s1",
      sessionIdentifier: "9c1b",
      tls: true,
      password: "x",
      sessionId: "http-session",
    };
    expect(redactSecrets(value)).toEqual({ ...value, password: REDACTED, sessionId: REDACTED });
  });
});

describe("LINKSCOPE_TOKEN_PREFIXES", () => {
  it("names every token prefix the product issues", () => {
    const root = path.resolve(import.meta.dirname, "..");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
      (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.includes("redact"),
    );
    const issued = new Set<string>();
    for (const file of files) {
      const source = readFileSync(path.join(root, file), "utf8");
      // A prefix the code builds a token from: `const TOKEN_PREFIX = "lsx_"` or a template `lsx_${…}`.
      for (const match of source.matchAll(/["'`](ls[a-z]{1,4}_)(?:["'`]|\$\{)/g)) if (match[1]) issued.add(match[1]);
    }
    expect([...issued].sort()).toEqual(expect.arrayContaining(["lsit_", "lsk_", "lss_"]));
    expect([...issued].filter((prefix) => !(LINKSCOPE_TOKEN_PREFIXES as readonly string[]).includes(prefix))).toEqual([]);
  });
});

// Regex DoS: every payload a device sends is redacted on each read. These shapes (256 KB, the largest record an
// adapter accepts) took 5 s to over a minute when a pattern could scan from each of many starts to the end.
describe("redaction time on hostile payloads", () => {
  const shapes: [string, string][] = [
    ["many PEM headers without an END", "-----BEGIN PRIVATE KEY-----".repeat(9_000)],
    ["a dashed run ending in a key", `${"a-".repeat(120_000)}password`],
    ["a dashed run of words", "ab-".repeat(80_000)],
    ["single-quoted values never closed", "password='x ".repeat(20_000)],
  ];
  // CPU time of this process, not wall time: a busy machine stretches the wall clock, not the work a pattern does.
  it.each(shapes)("%s: well under 2 s of CPU", (_name, text) => {
    const started = process.cpuUsage();
    redactSecrets(text, { redactIps: true });
    const { user, system } = process.cpuUsage(started);
    expect((user + system) / 1000).toBeLessThan(2_000);
  });
});
