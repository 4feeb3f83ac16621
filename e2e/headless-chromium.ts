import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * The Chromium e2e drives (decision 060): CHROMIUM_PATH when set, else Chromium's headless shell, which
 * `@sparticuz/chromium` ships inside an npm package (npm is all these machines reach). The headless shell is what
 * Playwright itself runs for headless tests: Chromium without the desktop browser's UI layers, about a quarter less CPU
 * per page than Debian's full `chromium --headless`, which matters on two cores. Debian's package still provides the
 * shared libraries and fonts it loads (`.ci/run` installs it).
 */
export async function resolveChromium(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const packageDir = path.join(ROOT, "node_modules/@sparticuz/chromium");
  const { version } = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string };
  const target = path.join(ROOT, "node_modules/.cache/linkscope-headless-chromium", version, "chromium");
  if (!existsSync(target)) await unpack(path.join(packageDir, "bin/chromium.br"), target);
  return target;
}

/**
 * Unpacked under a name of its own and renamed into place: two suites on one checkout may unpack at once, and neither
 * may launch a half-written binary. (The package's own `executablePath()` unpacks into a shared /tmp path in place.)
 */
export async function unpack(archive: string, target: string): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${randomUUID()}.partial`;
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(partial, { mode: 0o755 }));
  renameSync(partial, target);
}
