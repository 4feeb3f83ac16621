import { describe, expect, it } from "vitest";
import { countCells, githubSlug, headingAnchors, relativeLinks, tableProblems } from "./markdown-checks.ts";

describe("githubSlug", () => {
  it("drops punctuation and code marks and joins words with hyphens", () => {
    expect(githubSlug("Accounts, roles and security")).toBe("accounts-roles-and-security");
    expect(githubSlug("First start and later starts (issue 15)")).toBe("first-start-and-later-starts-issue-15");
    expect(githubSlug("`npm start` — the launcher")).toBe("npm-start--the-launcher");
  });
});

describe("headingAnchors", () => {
  it("numbers repeated headings and ignores code fences", () => {
    const anchors = headingAnchors("# A\n## Notes\n```sh\n# not a heading\n```\n## Notes\n");
    expect([...anchors]).toEqual(["a", "notes", "notes-1"]);
  });
});

describe("relativeLinks", () => {
  it("keeps repository links and images, skips URLs and inline code", () => {
    const links = relativeLinks("See [api](docs/api.md#routes), ![shot](images/a.png), [web](https://x.y) and `[x](y.md)`.");
    expect(links.map((link) => link.target)).toEqual(["docs/api.md#routes", "images/a.png"]);
  });
});

describe("tableProblems", () => {
  it("accepts a well-formed table, escaped pipes included", () => {
    expect(countCells("| `a\\|b` | c |")).toBe(2);
    expect(tableProblems("| a | b |\n|---|---|\n| `x\\|y` | z |\n")).toEqual([]);
  });

  it("accepts separator cells of one hyphen with alignment colons, as GitHub renders them", () => {
    expect(tableProblems("| a | b | c |\n|-|:-:|--:|\n| x | ✓ | 1 |\n")).toEqual([]);
  });

  it("reports rows whose cell count differs from the header", () => {
    expect(tableProblems("| a | b |\n|---|---|\n| x | y | z |\n")).toEqual([{ line: 3, problem: "row has 3 cells, header 2" }]);
  });

  it("reports rows cut off from their table by a paragraph", () => {
    const problems = tableProblems("| a | b |\n|---|---|\n| x | y |\nA paragraph.\n| orphan | row |\n");
    expect(problems).toEqual([{ line: 5, problem: "table rows without a header and `|---|` separator line (rendered as text)" }]);
  });
});
