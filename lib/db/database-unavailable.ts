// Postgres SQLSTATE classes and codes that say "the database, not this data": connection exceptions (08),
// insufficient resources (53), operator intervention (57: shutdown, crash, cannot connect now, statement timeout),
// system errors (58: I/O), the transaction conflicts that succeed when retried (40001 serialization, 40P01 deadlock)
// and objects busy for a moment (55P03 lock not available under a lock timeout, 55006 object in use).
const TRANSIENT_SQLSTATE = /^(08|53|57|58)|^40001$|^40P01$|^55P03$|^55006$/;
// Prisma: cannot reach (P1001), timeouts (P1002, P1008), connection closed (P1017), pool timeout (P2024),
// transaction API errors such as an expired interactive transaction (P2028).
const TRANSIENT_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
const TRANSIENT_NODE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);
const TRANSIENT_MESSAGE =
  /connection terminated|terminating connection|can't reach database|server closed the connection|connection (is )?closed|timed out fetching a new connection|too many (clients|connections)|the database system is (starting up|shutting down)/i;

/**
 * True when a failed write says nothing about the data: retry the same batch later. Anything else (a value the
 * database refuses, a row that breaks a constraint, a stack overflow while serializing) is the data's fault and
 * is isolated record by record instead of being retried forever.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of causeChain(error)) {
    const code = readString(link, "code");
    if (code && (TRANSIENT_PRISMA.has(code) || TRANSIENT_NODE.has(code) || (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE.test(code))))
      return true;
    const original = readString(link, "originalCode") ?? readString(readObject(link, "meta"), "code");
    if (original && TRANSIENT_SQLSTATE.test(original)) return true;
    const message = readString(link, "message");
    if (message && TRANSIENT_MESSAGE.test(message)) return true;
  }
  return false;
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== null && current !== undefined && chain.length < 8) {
    chain.push(current);
    const meta = readObject(current, "meta");
    const driver = readObject(meta, "driverAdapterError");
    if (driver) chain.push(driver, readObject(driver, "cause"));
    current = readObject(current, "cause");
  }
  return chain.filter((link) => link !== null && link !== undefined);
}

function readObject(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  const field = readObject(value, key);
  return typeof field === "string" ? field : undefined;
}

/**
 * The database's own words from a failed write: Prisma prefixes its messages with blank lines and the invocation,
 * so the last non-empty line is the one that says what went wrong.
 */
export function readDatabaseErrorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return (
    error.message
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? error.name
  );
}
