import type { ConfigRecommendation } from "@/lib/diagnosis/recommend-client-config.ts";

const STATUS_TEXT = { passed: "Matches", failed: "Differs", unknown: "Not visible" } as const;

export function RecommendedConfig({ items }: { items: readonly ConfigRecommendation[] }) {
  return (
    <section className="panel" aria-labelledby="config-heading">
      <div className="panel-header">
        <h2 id="config-heading">Recommended client configuration</h2>
        <p className="muted">Hardened settings from the field guides, compared with what this device&apos;s events show.</p>
      </div>
      <div className="table-wrap">
        <table aria-label="Recommended client configuration">
          <thead>
            <tr>
              <th>Setting</th>
              <th>Recommended</th>
              <th>This device</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.setting}>
                <td className="nowrap">{item.setting}</td>
                <td>{item.value}</td>
                <td className={`config-${item.status}`}>
                  {STATUS_TEXT[item.status]}
                  {item.observed ? `: ${item.observed}` : null}
                </td>
                <td className="message">{item.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
