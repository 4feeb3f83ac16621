import { describe, expect, it } from "vitest";
import { assessTlsSession, type ChainCertificate } from "./tls-chain.ts";

const now = new Date("2026-06-01T00:00:00Z");
const cert = (overrides: Partial<ChainCertificate>): ChainCertificate => ({
  subject: "CN=broker.example.com",
  issuer: "CN=Example Issuing CA",
  subjectAltNames: ["DNS:broker.example.com"],
  validFrom: "2026-01-01T00:00:00.000Z",
  validTo: "2027-01-01T00:00:00.000Z",
  fingerprint256: "AA",
  selfSigned: false,
  ...overrides,
});

describe("assessTlsSession", () => {
  it("raises no flag for a current chain that names the host over TLS 1.2+", () => {
    expect(assessTlsSession({ protocol: "TLSv1.3", chain: [cert({})], host: "broker.example.com", now })).toEqual({
      flags: [],
      retiringRoot: null,
    });
  });

  it("flags a chain that ends at the retiring DigiCert G1 root (ClearBlade legacy URLs)", () => {
    const chain = [
      cert({ issuer: "CN=DigiCert TLS RSA SHA256 2020 CA1" }),
      cert({
        subject: "CN=DigiCert TLS RSA SHA256 2020 CA1",
        issuer: "C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root CA",
        subjectAltNames: [],
      }),
    ];
    const assessment = assessTlsSession({ protocol: "TLSv1.2", chain, host: "broker.example.com", now });
    expect(assessment.flags).toEqual(["chain_to_retiring_root"]);
    expect(assessment.retiringRoot?.replacement).toMatch(/G5/);
  });

  it("flags old TLS versions, expiry, not-yet-valid, self-signed and host names outside the SANs", () => {
    expect(assessTlsSession({ protocol: "TLSv1.1", chain: [cert({})], host: "broker.example.com", now }).flags).toEqual([
      "tls_version_below_1_2",
    ]);
    expect(
      assessTlsSession({ protocol: "TLSv1.2", chain: [cert({ validTo: "2026-05-01T00:00:00.000Z" })], host: "broker.example.com", now })
        .flags,
    ).toEqual(["certificate_expired"]);
    expect(
      assessTlsSession({ protocol: "TLSv1.2", chain: [cert({ validFrom: "2026-07-01T00:00:00.000Z" })], host: "broker.example.com", now })
        .flags,
    ).toEqual(["certificate_not_yet_valid"]);
    expect(
      assessTlsSession({
        protocol: "TLSv1.2",
        chain: [cert({ issuer: "CN=broker.example.com", selfSigned: true })],
        host: "broker.example.com",
        now,
      }).flags,
    ).toEqual(["self_signed"]);
    expect(assessTlsSession({ protocol: "TLSv1.2", chain: [cert({})], host: "legacy.example.com", now }).flags).toEqual([
      "host_name_not_in_sans",
    ]);
    expect(
      assessTlsSession({ protocol: "TLSv1.2", chain: [cert({ validTo: "2026-06-05T00:00:00.000Z" })], host: "broker.example.com", now })
        .flags,
    ).toEqual(["certificate_expires_soon"]);
  });
});
