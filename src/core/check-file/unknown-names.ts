import { parseSource, parseTarget, type Endpoint } from "./endpoint.js";
import { didYouMean } from "./nearest.js";
import type { Parsed } from "./parsed.js";
import type { SpecProblem } from "./spec-error.js";
import type { NodePath, YamlSource } from "./yaml-source.js";

type Step = string | number;

function nameIn(parsed: Parsed<Endpoint>): string | undefined {
  return parsed.ok && parsed.value.kind === "name" ? parsed.value.name : undefined;
}

/** Every container name the spec uses, with where it is written; read from the raw YAML so it works on a spec with other errors. */
function namesUsed(data: unknown): { name: string; path: NodePath }[] {
  const found: { name: string; path: NodePath }[] = [];
  const visit = (value: unknown, path: Step[], read: (text: string) => string | undefined) => {
    const name = typeof value === "string" ? read(value) : undefined;
    if (name !== undefined) found.push({ name, path });
  };
  const source = (text: string) => nameIn(parseSource(text));
  const target = (text: string) => nameIn(parseTarget(text));
  const plain = (text: string) => text;
  const entries = (data as { expect?: unknown } | null)?.expect;
  if (!Array.isArray(entries)) return found;
  entries.forEach((entry: Record<string, unknown> | null, index) => {
    if (typeof entry !== "object" || entry === null) return;
    const at = (...steps: Step[]) => ["expect", index, ...steps];
    visit(entry.from, at("from"), source);
    visit(entry.to, at("to"), target);
    // `resolve:` is not here: a lookup may name anything a resolver answers (`extra_hosts`, an outside name).
    visit(entry.publishes, at("publishes"), plain);
    for (const key of ["network", "interfaces", "container"]) visit(entry[key], at(key), plain);
    if (Array.isArray(entry.address)) entry.address.forEach((value, i) => visit(value, at("address", i), plain));
    else visit(entry.address, at("address"), plain);
    const matrix = entry.matrix as { from?: unknown; to?: unknown } | null | undefined;
    if (Array.isArray(matrix?.from)) matrix.from.forEach((value, i) => visit(value, at("matrix", "from", i), source));
    if (Array.isArray(matrix?.to)) matrix.to.forEach((value, i) => visit(value, at("matrix", "to", i), target));
  });
  return found;
}

/** With a compose file, every name the spec uses must be one of its services. */
export function unknownNames(source: YamlSource, services: readonly string[], composeFile: string): SpecProblem[] {
  const known = new Set(services);
  return namesUsed(source.data)
    .filter(({ name }) => !known.has(name))
    .map(({ name, path }) => ({
      ...source.valueAt(path),
      message: `unknown service \`${name}\`${didYouMean(name, services)}; services in ${composeFile}: ${[...services].sort().join(", ")}`,
    }));
}
