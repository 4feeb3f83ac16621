import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type TestCertificate = { certFile: string; keyFile: string; certPem: string; keyPem: string };
export type TestCertificateAuthority = TestCertificate & {
  dir: string;
  /** Signs a new key for `commonName` with the given SANs (`IP:127.0.0.1`, `DNS:localhost`) and validity. */
  issue(
    name: string,
    options: { commonName: string; subjectAltNames: string[]; notBefore?: Date; notAfter?: Date; clientAuth?: boolean },
  ): TestCertificate;
  /** A certificate signed by itself, trusted by nobody. */
  selfSigned(name: string, options: { commonName: string; subjectAltNames: string[] }): TestCertificate;
  remove(): void;
};

/**
 * A throwaway certificate authority made with the openssl CLI, for TLS tests against real brokers. Files are
 * world-readable because Mosquitto, started as root, reads them as user mosquitto.
 */
export function createTestCertificateAuthority(): TestCertificateAuthority {
  const dir = mkdtempSync(path.join(tmpdir(), "linkscope-certs-"));
  chmodSync(dir, 0o755);
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const newKey = (name: string) =>
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", file(`${name}.key`)]);
  const load = (name: string): TestCertificate => {
    for (const suffix of ["crt", "key"]) chmodSync(file(`${name}.${suffix}`), 0o644);
    return {
      certFile: file(`${name}.crt`),
      keyFile: file(`${name}.key`),
      certPem: readFileSync(file(`${name}.crt`), "utf8"),
      keyPem: readFileSync(file(`${name}.key`), "utf8"),
    };
  };

  newKey("ca");
  openssl(["req", "-x509", "-new", "-key", file("ca.key"), "-out", file("ca.crt"), "-days", "30", "-subj", "/CN=Linkscope Test CA"]);
  writeFileSync(file("index.txt"), "");
  writeFileSync(file("serial"), "1000\n");
  writeFileSync(
    file("ca.cnf"),
    [
      "[ca]",
      "default_ca = test_ca",
      "[test_ca]",
      `database = ${file("index.txt")}`,
      `new_certs_dir = ${dir}`,
      `serial = ${file("serial")}`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  const ca = load("ca");

  return {
    ...ca,
    dir,
    issue(name, options) {
      newKey(name);
      openssl(["req", "-new", "-key", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${options.commonName}`]);
      const usage = options.clientAuth ? "clientAuth" : "serverAuth";
      writeFileSync(
        file(`${name}.ext`),
        [
          `basicConstraints = CA:FALSE`,
          `extendedKeyUsage = ${usage}`,
          ...(options.subjectAltNames.length ? [`subjectAltName = ${options.subjectAltNames.join(",")}`] : []),
          "",
        ].join("\n"),
      );
      const notBefore = options.notBefore ?? new Date(Date.now() - 86_400_000);
      const notAfter = options.notAfter ?? new Date(Date.now() + 30 * 86_400_000);
      openssl([
        "ca",
        "-batch",
        "-notext",
        "-config",
        file("ca.cnf"),
        "-cert",
        ca.certFile,
        "-keyfile",
        ca.keyFile,
        "-in",
        file(`${name}.csr`),
        "-out",
        file(`${name}.crt`),
        "-extfile",
        file(`${name}.ext`),
        "-startdate",
        asn1Time(notBefore),
        "-enddate",
        asn1Time(notAfter),
      ]);
      return load(name);
    },
    selfSigned(name, options) {
      newKey(name);
      openssl([
        "req",
        "-x509",
        "-new",
        "-key",
        file(`${name}.key`),
        "-out",
        file(`${name}.crt`),
        "-days",
        "30",
        "-subj",
        `/CN=${options.commonName}`,
        "-addext",
        `subjectAltName = ${options.subjectAltNames.join(",")}`,
      ]);
      return load(name);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}
