import type { DetailedPeerCertificate } from "node:tls";
import { checkServerIdentity } from "node:tls";

/** One certificate of the chain the server presented, leaf first. */
export type ChainCertificate = {
  subject: string;
  issuer: string;
  subjectAltNames: string[];
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  selfSigned: boolean;
};

/**
 * Roots whose trust is being withdrawn. ClearBlade's legacy URLs chain to DigiCert Global Root CA (the "G1" root)
 * and move to the G5 roots; Symantec/GeoTrust-era roots are already distrusted by browsers and OS stores.
 */
export const RETIRING_ROOTS: readonly { commonName: string; replacement: string; note: string }[] = [
  {
    commonName: "DigiCert Global Root CA",
    replacement: "DigiCert TLS ECC P384 Root G5 or DigiCert TLS RSA4096 Root G5",
    note: "ClearBlade IoT Core legacy URLs (without -g5-) use it; migrate to the G5 URLs and roots",
  },
  {
    commonName: "DigiCert High Assurance EV Root CA",
    replacement: "DigiCert TLS RSA4096 Root G5",
    note: "DigiCert G1 roots are being withdrawn from public trust stores",
  },
  {
    commonName: "DigiCert Assured ID Root CA",
    replacement: "DigiCert TLS RSA4096 Root G5",
    note: "DigiCert G1 roots are being withdrawn from public trust stores",
  },
  {
    commonName: "VeriSign Class 3 Public Primary Certification Authority - G5",
    replacement: "a current DigiCert root",
    note: "Symantec-era root, distrusted",
  },
  { commonName: "GeoTrust Global CA", replacement: "a current DigiCert root", note: "Symantec-era root, distrusted" },
];

/** Walks the chain Node reports (issuerCertificate links, a root points at itself). At most 10 certificates. */
export function describeCertificateChain(leaf: DetailedPeerCertificate | null | undefined): ChainCertificate[] {
  const chain: ChainCertificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf && Object.keys(leaf).length > 0 ? leaf : undefined;
  while (current && chain.length < 10 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    const subject = formatName(current.subject);
    const issuer = formatName(current.issuer);
    chain.push({
      subject,
      issuer,
      subjectAltNames: (current.subjectaltname ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
      validFrom: new Date(current.valid_from).toISOString(),
      validTo: new Date(current.valid_to).toISOString(),
      fingerprint256: current.fingerprint256,
      selfSigned: subject === issuer,
    });
    current = current.issuerCertificate;
  }
  return chain;
}

function formatName(name: object | undefined): string {
  if (!name) return "";
  return Object.entries(name as Record<string, string | string[] | undefined>)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : value}`)
    .join(", ");
}

function commonNameOf(distinguishedName: string): string | null {
  return /(?:^|, )CN=([^,]+)/.exec(distinguishedName)?.[1] ?? null;
}

export type TlsFlag =
  | "certificate_expired"
  | "certificate_not_yet_valid"
  | "self_signed"
  | "host_name_not_in_sans"
  | "tls_version_below_1_2"
  | "chain_to_retiring_root"
  | "certificate_expires_soon";

export type TlsAssessment = { flags: TlsFlag[]; retiringRoot: (typeof RETIRING_ROOTS)[number] | null };

/** Flags what a device would trip over, from the negotiated version, the chain and the name it connects to. */
export function assessTlsSession(input: { protocol: string | null; chain: ChainCertificate[]; host: string; now: Date }): TlsAssessment {
  const flags: TlsFlag[] = [];
  const leaf = input.chain[0];
  if (input.protocol && /^(SSLv|TLSv1(\.1)?$)/.test(input.protocol)) flags.push("tls_version_below_1_2");
  if (input.chain.some((cert) => Date.parse(cert.validTo) < input.now.getTime())) flags.push("certificate_expired");
  if (input.chain.some((cert) => Date.parse(cert.validFrom) > input.now.getTime())) flags.push("certificate_not_yet_valid");
  if (leaf?.selfSigned && input.chain.length === 1) flags.push("self_signed");
  if (leaf && !hostMatchesCertificate(input.host, leaf)) flags.push("host_name_not_in_sans");
  if (leaf && !flags.includes("certificate_expired") && Date.parse(leaf.validTo) - input.now.getTime() < 14 * 86_400_000)
    flags.push("certificate_expires_soon");
  const names = input.chain.flatMap((cert) => [commonNameOf(cert.subject), commonNameOf(cert.issuer)]);
  const retiringRoot = RETIRING_ROOTS.find((root) => names.includes(root.commonName)) ?? null;
  if (retiringRoot) flags.push("chain_to_retiring_root");
  return { flags, retiringRoot };
}

function hostMatchesCertificate(host: string, leaf: ChainCertificate): boolean {
  const subject = Object.fromEntries(leaf.subject.split(", ").map((part) => part.split("=", 2) as [string, string]));
  const error = checkServerIdentity(host, {
    subject,
    subjectaltname: leaf.subjectAltNames.join(", "),
  } as unknown as DetailedPeerCertificate);
  return error === undefined;
}
