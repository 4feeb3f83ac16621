import { open } from "node:fs/promises";
import { InvalidInputError, UnprocessableInputError, UnsupportedContentError } from "@/lib/errors/domain-errors.ts";
import type { RecordFormat } from "@/lib/sources/record-formats.ts";
import { SNIFF_SAMPLE_BYTES, sniffImport } from "./sniff-import.ts";

/**
 * A binary file, or one the chosen format reads nothing from while another format would, is refused before it can
 * fill the dead-letter store (the upload page previews this; API and CLI callers get the same answer); so is a file
 * with nothing in it to import.
 */
export async function refuseUnimportableFile(file: string, size: number, format: RecordFormat): Promise<void> {
  if (size === 0) throw new InvalidInputError("empty_upload", "The file is empty: there is nothing to import.");
  const handle = await open(file, "r");
  const sample = Buffer.alloc(Math.min(size, SNIFF_SAMPLE_BYTES));
  try {
    await handle.read(sample, 0, sample.length, 0);
  } finally {
    await handle.close();
  }
  const sniff = sniffImport(sample, format, size <= SNIFF_SAMPLE_BYTES);
  if (sniff.refusal) throw new UnsupportedContentError("not_a_text_file", `This file cannot be imported: ${sniff.refusal}.`);
  if (sniff.chosen.events === 0 && sniff.suggested) {
    throw new UnprocessableInputError(
      "format_mismatch",
      `The ${format.name} format reads no events from this file; it looks like ${sniff.suggested}. Import it as ${sniff.suggested}.`,
      { suggested: sniff.suggested },
    );
  }
  if (sniff.complete && sniff.chosen.records === 0)
    throw new InvalidInputError("empty_upload", "The file holds no records (it is blank or an empty list): there is nothing to import.");
  const first = sniff.chosen.firstRejections[0];
  // No format reads it and the chosen one rejects what it sees: an export of the wrong kind (EMQX's own log lines, an
  // SNS envelope…) would only fill the dead-letter store.
  if (sniff.chosen.events === 0 && first) {
    throw new UnprocessableInputError(
      "no_events",
      `The ${format.name} format reads no events from ${sniff.complete ? "this file" : "the start of this file"} and no other format does; record ${first.index + 1}: ${first.error}. It reads: ${format.description}.`,
      { firstRejections: sniff.chosen.firstRejections },
    );
  }
}
