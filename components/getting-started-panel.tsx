import Link from "next/link";

/**
 * Shown on the overview while no source has delivered a single event: zeros and "no disconnects" would read as a
 * healthy fleet. Each way in names what to do next, with links only where the signed-in role can act.
 */
export function GettingStartedPanel({ canManageTokens, canImport }: { canManageTokens: boolean; canImport: boolean }) {
  return (
    <section className="panel getting-started" aria-labelledby="getting-started-heading">
      <div className="panel-header">
        <h2 id="getting-started-heading">No events yet: connect a source</h2>
        <p className="muted">the figures below stay at zero until the first connection event arrives</p>
      </div>
      <ol>
        <li>
          <strong>Live from your broker.</strong> The ingest worker (<code>npm run worker</code>) subscribes to the broker&apos;s lifecycle
          topics: EMQX, Mosquitto, AWS IoT Core and aedes. Point it at the broker with <code>MQTT_URL</code>, or at several with{" "}
          <code>LINKSCOPE_SOURCES</code> (docs/sources.md).
        </li>
        <li>
          <strong>Webhooks from a cloud platform.</strong> AWS IoT rules, Azure Event Grid and EMQX&apos;s rule engine post to{" "}
          <code>POST /api/v1/ingest/&lt;source&gt;</code> with an ingest token.{" "}
          {canManageTokens ? <Link href="/admin/ingest-tokens">Create an ingest token</Link> : "An admin creates the ingest token."}
        </li>
        <li>
          <strong>A log or export file.</strong> Mosquitto logs, HiveMQ event.log, CloudWatch and Log Analytics exports.{" "}
          {canImport ? <Link href="/ingest">Import a file</Link> : <>Support staff import files on the Ingest page.</>}
        </li>
      </ol>
      <p className="muted">
        A source that is sending but shows nothing here: its inputs may have been unreadable. The <Link href="/ingest">Ingest page</Link>{" "}
        lists them as dead letters, with the reason.
      </p>
    </section>
  );
}
