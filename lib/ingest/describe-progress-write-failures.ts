/**
 * What an operator should know when an import could not always record its progress (ImportRun.progressWriteFailures),
 * or null when it always could.
 */
export function describeProgressWriteFailures(failures: number): string | null {
  if (failures <= 0) return null;
  return (
    `Its progress could not be recorded ${failures} ${failures === 1 ? "time" : "times"} (the database did not answer). ` +
    "The import carried on, but the counts shown may have lagged and it may have looked interrupted meanwhile."
  );
}
