import { kindLabel, describeHeadline, type StoredNotification } from "./stored-notification.ts";

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Subject, plain text and a small HTML body; user text (rule names, device IDs) is escaped in the HTML. */
export function buildEmailMessage(notification: StoredNotification): { subject: string; text: string; html: string } {
  const subject = describeHeadline(notification)
    .replace(/[\r\n]+/g, " ")
    .slice(0, 200);
  const facts: [string, string][] = [
    ["Rule", notification.rule.name],
    ["Kind", kindLabel(notification)],
    ["Subject", notification.subject],
    ["Started", notification.startedAt],
  ];
  const text = [
    notification.message,
    "",
    ...facts.map(([name, value]) => `${name}: ${value}`),
    "",
    `${notification.link.label}: ${notification.link.url}`,
  ].join("\n");
  const html = [
    `<p><strong>${escapeHtml(notification.status.toUpperCase())}</strong> ${escapeHtml(notification.message)}</p>`,
    `<table>${facts.map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join("")}</table>`,
    `<p><a href="${escapeHtml(notification.link.url)}">${escapeHtml(notification.link.label)}</a></p>`,
  ].join("\n");
  return { subject, text, html };
}
