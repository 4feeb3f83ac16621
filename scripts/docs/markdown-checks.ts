/** Checks on the repository's Markdown that a renderer would otherwise fail silently: dead links, broken tables. */

export type MarkdownLink = { target: string; line: number };
export type TableProblem = { line: number; problem: string };

/** The lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let inFence = false;
  markdown.split("\n").forEach((text, index) => {
    if (/^\s*(```|~~~)/.test(text)) {
      inFence = !inFence;
      return;
    }
    if (!inFence) lines.push({ text, line: index + 1 });
  });
  return lines;
}

function withoutInlineCode(text: string): string {
  return text.replace(/`[^`]*`/g, "");
}

/** GitHub's heading anchor: lower case, punctuation dropped (letters, digits, `-` and `_` kept), spaces as `-`. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor the file's headings make, numbered like GitHub's for repeated headings (`x`, `x-1`, …). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading?.[1]) continue;
    const slug = githubSlug(heading[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Links and images that point inside the repository (no scheme), outside code. */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text, line } of proseLines(markdown)) {
    for (const match of withoutInlineCode(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      links.push({ target, line });
    }
  }
  return links;
}

/** Cells of a table row: split on pipes not escaped with a backslash (GFM splits inside code spans too). */
export function countCells(row: string): number {
  const trimmed = row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return trimmed.split(/(?<!\\)\|/).length;
}

/**
 * Each run of lines starting with `|` must be a whole table: a header, a `|---|` separator, and rows with the
 * header's number of cells. Rows after a paragraph (no header of their own) render as plain text.
 */
export function tableProblems(markdown: string): TableProblem[] {
  const problems: TableProblem[] = [];
  let block: { text: string; line: number }[] = [];
  const flush = () => {
    const [header, separator, ...rows] = block;
    block = [];
    if (!header) return;
    if (!separator || !/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(separator.text)) {
      problems.push({ line: header.line, problem: "table rows without a header and `|---|` separator line (rendered as text)" });
      return;
    }
    const columns = countCells(header.text);
    if (countCells(separator.text) !== columns) {
      problems.push({ line: separator.line, problem: `separator has ${countCells(separator.text)} cells, header ${columns}` });
    }
    for (const row of rows) {
      const cells = countCells(row.text);
      if (cells !== columns) problems.push({ line: row.line, problem: `row has ${cells} cells, header ${columns}` });
    }
  };
  for (const entry of proseLines(markdown)) {
    if (entry.text.trimStart().startsWith("|")) block.push(entry);
    else flush();
  }
  flush();
  return problems;
}
