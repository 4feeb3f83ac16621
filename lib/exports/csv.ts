/** RFC 4180 CSV with spreadsheet formula injection defused. */

export type CsvValue = string | number | null;

// A leading =, +, -, @, tab or CR makes spreadsheets evaluate the cell; a quote prefix keeps it text.
export function formatCsvCell(value: CsvValue): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatCsvRow(values: readonly CsvValue[]): string {
  return `${values.map(formatCsvCell).join(",")}\r\n`;
}
