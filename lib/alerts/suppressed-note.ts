/**
 * A suppressed notification (silenced, in maintenance, or the resolve of a firing that was never sent) keeps its
 * history row but queues no delivery; its message ends with this note, which the history table reads back.
 */
export function describeSuppression(suppressedBy: string | null): string {
  return `not sent (${suppressedBy ?? "never sent while firing"})`;
}

export function isSuppressedMessage(message: string): boolean {
  return /(?: — |; )not sent \([^)]*\)$/.test(message);
}
