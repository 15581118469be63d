import { execa } from "execa";
import { TargetMissingError } from "./find-targets.js";

/** The names in `ip netns list` ("red (id: 3)" → "red"). */
export function parseNamespaceList(text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const name = line.trim().split(/\s+/)[0];
    return name ? [name] : [];
  });
}

/** The named network namespaces on this host (made with `ip netns add`; files in /run/netns). */
export async function listNamespaces(): Promise<Set<string>> {
  const listed = await execa("ip", ["netns", "list"], { reject: false });
  if (listed.exitCode !== 0) throw new TargetMissingError(`cannot list network namespaces ("ip netns list" failed: ${String(listed.stderr).trim() || listed.exitCode})`);
  return new Set(parseNamespaceList(String(listed.stdout)));
}

/** Every namespace the spec probes from or reads must exist: otherwise one line saying which and how to see it. */
export async function findNamespaces(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const present = await listNamespaces();
  const missing = [...new Set(names)].filter((name) => !present.has(name)).sort();
  if (missing.length > 0) throw new TargetMissingError(`no network namespace is named ${missing.map((name) => `"${name}"`).join(", ")}: see "ip netns list" (made with "ip netns add NAME")`);
}
