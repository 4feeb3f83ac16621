/** Webhook URLs are secrets (Slack's embed a token): validated here, and shown only masked. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

/** `https://hooks.slack.com/…Xy12`: scheme and host, then the last 4 characters when the rest is long enough to keep most of it hidden. */
export function maskWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "…";
  }
  const rest = `${url.pathname}${url.search}${url.hash}`;
  const origin = `${url.protocol}//${url.host}`;
  return rest.length >= 12 ? `${origin}/…${rest.slice(-4)}` : `${origin}/…`;
}
