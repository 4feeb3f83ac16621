/**
 * What a `datetime-local` input holds (`2026-11-22T10:00`, no zone) ↔ an instant. Forms in the product say UTC, so
 * the value is read and written as UTC, never in the browser's zone.
 */
export function fromUtcInput(value: string): string | null {
  const trimmed = value.trim();
  if (!trimmed) return null;
  const withSeconds = /T\d\d:\d\d$/.test(trimmed) ? `${trimmed}:00` : trimmed;
  const instant = new Date(`${withSeconds}Z`);
  // A value that is not a time goes to the server as typed: it answers with a readable 400 instead of the form throwing.
  return Number.isNaN(instant.getTime()) ? trimmed : instant.toISOString();
}

export function toUtcInput(time: Date | string): string {
  return new Date(time).toISOString().slice(0, 16);
}
