import Link from "next/link";

const TABS = [
  { href: "/admin/users", label: "Users & roles" },
  { href: "/admin/tokens", label: "API tokens" },
  { href: "/admin/ingest-tokens", label: "Ingest tokens" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/retention", label: "Retention" },
] as const;

export function AdminTabs({ current }: { current: (typeof TABS)[number]["href"] }) {
  return (
    <nav aria-label="Admin" className="admin-tabs button-group">
      {TABS.map((tab) => (
        <Link key={tab.href} href={tab.href} className="button button-small" aria-current={tab.href === current ? "page" : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
