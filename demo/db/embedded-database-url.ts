import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const FILE = "embedded-database-url";

/** Where a running `npm start` serves its embedded database, for tools such as `npm run users`. */
export async function writeEmbeddedDatabaseUrl(dataDir: string, url: string): Promise<{ remove(): Promise<void> }> {
  const file = path.join(dataDir, FILE);
  await writeFile(file, url, { mode: 0o600 });
  return { remove: () => rm(file, { force: true }) };
}

export async function readEmbeddedDatabaseUrl(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(path.join(dataDir, FILE), "utf8")).trim() || null;
  } catch {
    return null;
  }
}
