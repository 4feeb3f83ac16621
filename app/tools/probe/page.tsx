import type { Metadata } from "next";
import { ProbeForm } from "@/components/probe-form.tsx";
import { requirePageUser } from "@/lib/auth/require-page-user.ts";

export const metadata: Metadata = { title: "Connectivity probe" };

export default async function ProbeToolPage() {
  await requirePageUser("support");
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Connectivity probe</h1>
          <p className="muted">
            Tests a broker endpoint step by step from this server: DNS, TCP, TLS and the certificate chain, MQTT CONNECT with the given
            credentials, a PINGREQ, optionally a publish/subscribe round trip and an idle hold. Only targets in{" "}
            <code>LINKSCOPE_PROBE_TARGETS</code> can be probed from here; to test from the device&apos;s own network run{" "}
            <code>npm run probe -- mqtts://host:8883</code> there and upload the report to the device.
          </p>
        </div>
      </div>
      <ProbeForm />
    </>
  );
}
