/**
 * The refusal page of a share link that does not open: what happened and who to ask, nothing more. An unknown
 * token is only "not valid", never "never existed" or "was deleted". Plain Node: the proxy renders it.
 */
export type ShareRefusal = "expired" | "revoked" | "unknown" | "rate_limited";

export const SHARE_REFUSAL_STATUS: Record<ShareRefusal, number> = { unknown: 404, expired: 410, revoked: 410, rate_limited: 429 };

export const SHARE_REFUSAL_MESSAGES: Record<ShareRefusal, { heading: string; text: string }> = {
  expired: {
    heading: "This link has expired",
    text: "Share links stop working after the time chosen when they were made. Ask whoever sent it to you for a new one.",
  },
  revoked: { heading: "This link was revoked", text: "Whoever shared it has turned it off. Ask them for a new one if you still need it." },
  unknown: {
    heading: "This link is not valid",
    text: "Check that the whole link was copied; otherwise ask whoever sent it to you for a new one.",
  },
  rate_limited: {
    heading: "Too many links that do not open",
    text: "This address tried too many share links that are not valid. Wait a minute, then open the link again.",
  },
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A complete, self-contained HTML document (no scripts, no links into the product). */
export function renderShareRefusalHtml(refusal: ShareRefusal): string {
  const { heading, text } = SHARE_REFUSAL_MESSAGES[refusal];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(heading)} · Linkscope</title>
<style>
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #f5f6f8; }
header { background: #1d2330; color: #fff; padding: 12px 24px; font-weight: 600; }
main { max-width: 640px; margin: 48px auto; padding: 0 16px; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 8px; }
p { margin: 0; color: #4a5160; }
</style>
</head>
<body>
<header>Linkscope</header>
<main>
<section data-testid="share-refused" aria-labelledby="share-refused-heading">
<h1 id="share-refused-heading">${escapeHtml(heading)}</h1>
<p>${escapeHtml(text)}</p>
</section>
</main>
</body>
</html>
`;
}
