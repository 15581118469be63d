import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The README and docs/ link to each other and into the repository; a page moved or a heading renamed would
// leave a reader at a dead link, which GitHub shows only when clicked.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What checking a link needs to know of the tree, by path relative to the repository root. */
interface Tree {
  kind(path: string): "file" | "dir" | undefined;
  text(path: string): string;
}

interface Link {
  target: string;
  line: number;
}

/** A Markdown page's lines with fenced code blocks blanked, so their contents are neither links nor headings. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

/** The targets of a page's links and images: [text](target), [name]: target, <img src>, <a href>; code and comments left out. */
function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = raw.replace(/<!--.*?-->/g, "").replace(/`[^`]*`/g, "");
    const patterns = [
      /\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g,
      /^\s*\[[^\]]+\]:\s*(\S+)/g,
      /<(?:img|a)\b[^>]*?\b(?:src|href)="([^"]+)"/g,
    ];
    for (const pattern of patterns)
      for (const match of line.matchAll(pattern)) links.push({ target: match[1] ?? "", line: index + 1 });
  });
  return links;
}

/** GitHub's anchor for a heading: its text in lower case, punctuation dropped, each space a hyphen. */
function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a page's headings give, a repeated one numbered as GitHub does (`x`, `x-1`, …). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = anchorOf(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Each relative link of `page` that leads nowhere: no such file or folder, or an anchor no heading of its page gives. */
function brokenLinks(page: string, tree: Tree): string[] {
  const problems: string[] = [];
  for (const { target, line } of linksOf(tree.text(page))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
    const [pathPart = "", anchor] = target.split("#", 2);
    const path =
      pathPart === ""
        ? page
        : posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(pathPart))).replace(/\/+$/, "");
    const where = `${page}:${line}: ${target}`;
    const kind = tree.kind(path);
    if (kind === undefined) problems.push(`${where}: no such file or folder ${path}`);
    else if (
      anchor !== undefined &&
      kind === "file" &&
      path.endsWith(".md") &&
      !anchorsOf(tree.text(path)).has(anchor)
    ) {
      problems.push(`${where}: no heading in ${path} gives #${anchor}`);
    }
  }
  return problems;
}

const repository: Tree = {
  kind(path) {
    try {
      return statSync(join(ROOT, path)).isDirectory() ? "dir" : "file";
    } catch {
      return undefined;
    }
  },
  text: (path) => readFileSync(join(ROOT, path), "utf8"),
};

/** A tree held in memory: a path mapped to its text, or to null for a folder. */
function treeOf(entries: Record<string, string | null>): Tree {
  return {
    kind: (path) => (path in entries ? (entries[path] === null ? "dir" : "file") : undefined),
    text: (path) => entries[path] ?? "",
  };
}

const DOC_PAGES = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const PAGES = ["README.md", ...DOC_PAGES];

describe("the README and docs/", () => {
  it("link only to files and folders that exist, and to anchors their headings give", () => {
    const links = PAGES.flatMap((page) => linksOf(repository.text(page)));
    expect(links.length).toBeGreaterThan(PAGES.length);
    expect(PAGES.flatMap((page) => brokenLinks(page, repository))).toEqual([]);
  });

  it("leave no page of docs/ unlinked from the README", () => {
    const linked = new Set(linksOf(repository.text("README.md")).map(({ target }) => target.split("#")[0]));
    expect(DOC_PAGES.length).toBeGreaterThan(0);
    expect(DOC_PAGES.filter((page) => !linked.has(page))).toEqual([]);
  });

  it("keep the README a page a newcomer reads: at most 200 lines", () => {
    expect(repository.text("README.md").trimEnd().split("\n").length).toBeLessThanOrEqual(200);
  });
});

describe("the link check (controls)", () => {
  const page = [
    "# Top",
    "## The spec (version 1)",
    "## Twice",
    "## Twice",
    "[fine](other.md#the-heading) [`code`](sub/) ![pic](pic.png) [self](#top) [again](#twice-1)",
    "[gone](missing.md) [no anchor](other.md#nope) [dir anchor](sub/#x) [web](https://example.invalid/x.md)",
    '<img src="absent.png" alt="">',
    "[ref]: ../outside.md",
    "`[in a code span](nowhere.md)` <!-- [in a comment](nowhere.md) -->",
    "```",
    "[in a fence](nowhere.md)",
    "# not a heading",
    "```",
    "[fenced heading](#not-a-heading) [spec](#the-spec-version-1)",
  ].join("\n");
  const tree = treeOf({ "docs/page.md": page, "docs/other.md": "# The heading", "docs/sub": null, "docs/pic.png": "" });

  it("names each link that leads nowhere, with its line, and nothing else", () => {
    expect(brokenLinks("docs/page.md", tree)).toEqual([
      "docs/page.md:6: missing.md: no such file or folder docs/missing.md",
      "docs/page.md:6: other.md#nope: no heading in docs/other.md gives #nope",
      "docs/page.md:7: absent.png: no such file or folder docs/absent.png",
      "docs/page.md:8: ../outside.md: no such file or folder outside.md",
      "docs/page.md:14: #not-a-heading: no heading in docs/page.md gives #not-a-heading",
    ]);
  });

  it("finds nothing to report on a page whose links all lead somewhere", () => {
    expect(brokenLinks("docs/other.md", tree)).toEqual([]);
    expect(linksOf(page)).toHaveLength(13);
  });

  it("makes anchors as GitHub does", () => {
    expect(anchorOf("`netlab check`: check what you build")).toBe("netlab-check-check-what-you-build");
    expect(anchorOf("Bad input, clear answers")).toBe("bad-input-clear-answers");
    expect(anchorOf("Ports 18080+N and [a link](x.md)")).toBe("ports-18080n-and-a-link");
    expect([...anchorsOf("# A\n## A\n## A")]).toEqual(["a", "a-1", "a-2"]);
  });
});
