import type { ConfigRecommendation } from "@/lib/diagnosis/recommend-client-config.ts";
import { DataTable, type DataTableColumn } from "./data-table.tsx";

const STATUS_TEXT = { passed: "Matches", failed: "Differs", unknown: "Not visible" } as const;

const CONFIG_COLUMNS: DataTableColumn<ConfigRecommendation>[] = [
  { header: "Setting", className: "nowrap", cell: (item) => item.setting },
  { header: "Recommended", cell: (item) => item.value },
  {
    header: "This device",
    cell: (item) => (
      <span className={`config-${item.status}`}>
        {STATUS_TEXT[item.status]}
        {item.observed ? `: ${item.observed}` : null}
      </span>
    ),
  },
  { header: "Why", className: "message", cell: (item) => item.reason },
];

export function RecommendedConfig({ items }: { items: readonly ConfigRecommendation[] }) {
  return (
    <section className="panel" aria-labelledby="config-heading">
      <div className="panel-header">
        <h2 id="config-heading">Recommended client configuration</h2>
        <p className="muted">Hardened settings from the field guides, compared with what this device&apos;s events show.</p>
      </div>
      <DataTable
        label="Recommended client configuration"
        columns={CONFIG_COLUMNS}
        rows={items}
        rowKey={(item) => item.setting}
        emptyText="No recommendation applies to this device."
      />
    </section>
  );
}
