import { closest, distance } from "fastest-levenshtein";
import { LABS } from "../core/lesson/lesson.js";
import type { DeclaredLab } from "../core/lesson/types.js";
import { UsageError } from "./errors.js";

const SUFFIX = ".lab.test.ts";

/** The declared labs' names, sorted; each is proved by labs/<name>.lab.test.ts. */
export function knownLabs(): string[] {
  return LABS.map((declared) => declared.lab).sort();
}

/** One claim of a lab: its id and the rest of its test name. */
export interface Claim {
  id: string;
  title: string;
}

/** One lab as declared: the lesson's one line and its claims in order. */
export interface LabEntry {
  name: string;
  title: string;
  claims: Claim[];
}

/** A lab's entry from its declaration: its describe line (without a leading `name:`) and its claims. */
export function labEntryOf(declared: DeclaredLab): LabEntry {
  const { lab: name, heading } = declared;
  const title = heading.startsWith(`${name}:`) ? heading.slice(name.length + 1).trim() : heading;
  return { name, title, claims: declared.claims.map(({ claim, title: words }) => ({ id: claim, title: words })) };
}

/** Every lab with its claims, from the declarations: nothing runs and no file is read. */
export function labCatalog(): LabEntry[] {
  return [...LABS].sort((a, b) => (a.lab < b.lab ? -1 : 1)).map(labEntryOf);
}

/** ` did you mean X?` when one of `known` is close to `asked` (a typo or two), else nothing. */
function suggestion(asked: string, known: readonly string[]): string {
  if (known.length === 0) return "";
  const best = closest(
    asked.toLowerCase(),
    known.map((name) => name.toLowerCase()),
  );
  const close = distance(asked.toLowerCase(), best) <= Math.max(2, Math.floor(best.length / 3));
  return close ? ` did you mean ${known.find((name) => name.toLowerCase() === best)}?` : "";
}

/** A lab name as known (case-insensitive), or a usage error that suggests the closest and lists them all. */
export function resolveLab(asked: string, known: readonly string[] = knownLabs()): string {
  const found = known.find((name) => name.toLowerCase() === asked.toLowerCase());
  if (found) return found;
  throw new UsageError(`unknown lab "${asked}";${suggestion(asked, known)} known labs: ${known.join(", ")}`);
}

/** What `netlab run` was asked for: the labs, and the claims of each when some were named (`bridge:B8,B9`). */
export interface Selection {
  labs: string[];
  /** Lab → the claim ids asked for; a lab not in here runs whole. */
  claims: Record<string, string[]>;
}

/** Reads `LAB` and `LAB:CLAIM[,CLAIM…]` arguments against the catalog; none means every lab. */
export function selectLabs(args: readonly string[], catalog: readonly LabEntry[] = labCatalog()): Selection {
  const known = catalog.map((entry) => entry.name);
  const selection: Selection = { labs: [], claims: {} };
  for (const arg of args) {
    const [labPart = "", claimPart] = arg.split(":", 2);
    const lab = resolveLab(labPart, known);
    if (!selection.labs.includes(lab)) selection.labs.push(lab);
    if (claimPart === undefined) continue;
    const ids = catalog.find((entry) => entry.name === lab)?.claims.map((claim) => claim.id) ?? [];
    for (const askedId of claimPart.split(",").filter(Boolean)) {
      const id = ids.find((candidate) => candidate.toLowerCase() === askedId.toLowerCase());
      if (!id)
        throw new UsageError(
          `lab ${lab} has no claim "${askedId}";${suggestion(askedId, ids)} its claims: ${ids.join(", ")}`,
        );
      selection.claims[lab] = [...(selection.claims[lab] ?? []), id];
    }
  }
  if (selection.labs.length === 0) selection.labs = known;
  return selection;
}

/**
 * The test-name pattern (vitest's -t) that runs the claims asked for: the named claims of labs given with
 * claims, every claim of labs given whole. Claim ids are unique across labs, so one pattern serves all files.
 * Undefined when every lab runs whole.
 */
export function claimPattern(selection: Selection, catalog: readonly LabEntry[] = labCatalog()): string | undefined {
  if (Object.keys(selection.claims).length === 0) return undefined;
  const ids = selection.labs.flatMap(
    (lab) =>
      selection.claims[lab] ?? catalog.find((entry) => entry.name === lab)?.claims.map((claim) => claim.id) ?? [],
  );
  return `(^| )(${ids.join("|")}) `;
}

/** The lab files for the names asked for (all when none); an unknown name is a usage error that suggests the closest. */
export function labFiles(names: string[]): string[] {
  const known = knownLabs();
  return (names.length > 0 ? names.map((name) => resolveLab(name, known)) : known).map(
    (name) => `labs/${name}${SUFFIX}`,
  );
}

/** `netlab labs`: each lab and its lesson's line, then each claim, one line each. */
export function catalogLines(catalog: readonly LabEntry[] = labCatalog()): string[] {
  const width = Math.max(...catalog.map((entry) => entry.name.length));
  return catalog.flatMap((entry) => [
    `${entry.name.padEnd(width)}  ${entry.title}  (${entry.claims.map((claim) => claim.id).join(" ")})`,
    ...entry.claims.map((claim) => `  ${claim.id.padEnd(4)} ${claim.title}`),
  ]);
}
