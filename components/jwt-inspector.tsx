"use client";

import { useEffect, useMemo, useState } from "react";
import { inspectJwt } from "@/lib/jwt/inspect-jwt.ts";
import { verifyJwtSignature, type SignatureResult } from "@/lib/jwt/verify-jwt-signature.ts";

const STATUS_LABEL = { passed: "Passed", failed: "Failed", unknown: "Unknown" } as const;

/** Everything happens in this browser tab: the token and key are never stored, sent or logged. */
export function JwtInspector() {
  const [token, setToken] = useState("");
  const [audience, setAudience] = useState("");
  const [publicKey, setPublicKey] = useState("");
  const [now, setNow] = useState(() => new Date());
  const [signature, setSignature] = useState<SignatureResult | null>(null);

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const result = useMemo(
    () => (token.trim() === "" ? null : inspectJwt(token, { now, expectedAudience: audience })),
    [token, audience, now],
  );

  useEffect(() => {
    let cancelled = false;
    if (!result?.ok || publicKey.trim() === "") {
      setSignature(null);
      return;
    }
    void verifyJwtSignature({
      alg: result.header.alg,
      signingInput: result.signingInput,
      signature: result.signature,
      publicKeyPem: publicKey,
    }).then((outcome) => {
      if (!cancelled) setSignature(outcome);
    });
    return () => {
      cancelled = true;
    };
  }, [result, publicKey]);

  return (
    <div className="jwt-grid">
      <section className="panel" aria-labelledby="jwt-input-heading">
        <h2 id="jwt-input-heading">Token</h2>
        <label htmlFor="jwt-token">JWT (the MQTT password)</label>
        <textarea
          id="jwt-token"
          className="jwt-input"
          rows={7}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <label htmlFor="jwt-audience">Cloud project ID (expected aud), optional</label>
        <input
          id="jwt-audience"
          className="jwt-input"
          value={audience}
          onChange={(event) => setAudience(event.target.value)}
          autoComplete="off"
        />
        <label htmlFor="jwt-key">Device public key (PEM), optional, to verify the signature</label>
        <textarea
          id="jwt-key"
          className="jwt-input"
          rows={6}
          value={publicKey}
          onChange={(event) => setPublicKey(event.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <p className="muted">Nothing you paste leaves this page: decoding and verification run in your browser (WebCrypto).</p>
      </section>
      <section className="panel" aria-labelledby="jwt-result-heading" aria-live="polite">
        <h2 id="jwt-result-heading">Checks</h2>
        {result === null ? <p className="empty">Paste a token to check it.</p> : null}
        {result && !result.ok ? <p className="error-text">{result.error}</p> : null}
        {result?.ok ? (
          <>
            <ol className="steps" aria-label="JWT checks">
              {result.checks.map((check) => (
                <li key={check.id} className="step">
                  <span className={`step-status step-status-${check.status}`}>{STATUS_LABEL[check.status]}</span>
                  <div>
                    <div className="step-text">{check.label}</div>
                    <div className="step-detail">{check.detail}</div>
                  </div>
                </li>
              ))}
              <li className="step">
                <span className={`step-status step-status-${signature?.status ?? "unknown"}`}>
                  {STATUS_LABEL[signature?.status ?? "unknown"]}
                </span>
                <div>
                  <div className="step-text">Signature</div>
                  <div className="step-detail">{signature?.detail ?? "Paste the device's public key to verify the signature."}</div>
                </div>
              </li>
            </ol>
            <h3>Header</h3>
            <pre className="raw-json">{JSON.stringify(result.header, null, 2)}</pre>
            <h3>Payload</h3>
            <pre className="raw-json">{JSON.stringify(result.payload, null, 2)}</pre>
          </>
        ) : null}
      </section>
    </div>
  );
}
