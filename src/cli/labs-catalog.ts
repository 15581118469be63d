import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UsageError } from "./errors.js";

export const LABS_DIR = fileURLToPath(new URL("../../labs/", import.meta.url));
const SUFFIX = ".lab.test.ts";

export function knownLabs(): string[] {
  return readdirSync(LABS_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
}

/** The lab files for the names asked for (all when none); an unknown name is a usage error that lists the known ones. */
export function labFiles(names: string[]): string[] {
  const known = knownLabs();
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown lab "${unknown[0]}"; known labs: ${known.join(", ")}`);
  return (names.length > 0 ? names : known).map((name) => `labs/${name}${SUFFIX}`);
}
