import type { Metadata } from "next";
import { JwtInspector } from "@/components/jwt-inspector.tsx";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export const metadata: Metadata = { title: "JWT check" };

export default async function JwtToolPage() {
  await requirePageUser();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>JWT check</h1>
          <p className="muted">
            Decode a device JWT and check it against the ClearBlade / Cloud IoT Core rules: RS256 or ES256, exp − iat ≤ 24 h, aud = project
            ID, base64url encoding, at most 10 minutes of clock skew, not expired.
          </p>
        </div>
      </div>
      <JwtInspector />
    </>
  );
}
