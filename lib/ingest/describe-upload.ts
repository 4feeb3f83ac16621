/** What an upload for a device stored; counts as the file import answers them. Pure: the server and the page share it. */
export type UploadCounts = {
  /** Events read from the file's good records. */
  events: number;
  accepted: number;
  duplicate: number;
  /** Records kept as dead letters: unreadable, dated impossibly far ahead, or refused by the database. */
  rejected: number;
  /** The first records refused, with where they are in the file. */
  errors: { where: string; error: string }[];
};

/** `Stored 3 new events (1 already stored).`, then what was refused, with the first reason. */
export function describeUpload(counts: UploadCounts): string {
  const stored =
    counts.accepted === 0 && counts.duplicate === 0
      ? "Nothing was stored."
      : `Stored ${plural(counts.accepted, "new event")}${counts.duplicate > 0 ? ` (${counts.duplicate} already stored)` : ""}.`;
  return `${stored}${describeRejectedRecords(counts)}`;
}

/** The sentence an upload's answer adds when some of its records were kept as dead letters; empty when none was. */
export function describeRejectedRecords(counts: Partial<Pick<UploadCounts, "rejected" | "errors">>): string {
  const rejected = counts.rejected ?? 0;
  if (rejected === 0) return "";
  const first = counts.errors?.[0];
  const example = first ? ` The first: ${first.where}: ${first.error}.` : "";
  const kept = rejected === 1 ? "was kept as a dead letter" : "were kept as dead letters";
  return ` ${plural(rejected, "record")} could not be stored and ${kept} (Ingest health lists them).${example}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
