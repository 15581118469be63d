import { listNamespaces, NamespaceListError } from "../runtime/netns.js";
import { TargetMissingError } from "./find-targets.js";

/** Every namespace the spec probes from or reads must exist: otherwise one line saying which and how to see it. */
export async function findNamespaces(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const present = await listNamespaces().catch((error: unknown) => {
    throw error instanceof NamespaceListError ? new TargetMissingError(error.message) : error;
  });
  const missing = [...new Set(names)].filter((name) => !present.has(name)).sort();
  if (missing.length > 0)
    throw new TargetMissingError(
      `no network namespace is named ${missing.map((name) => `"${name}"`).join(", ")}: see "ip netns list" (made with "ip netns add NAME")`,
    );
}
