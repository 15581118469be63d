import type { Endpoint } from "../../core/check-file/expectations.js";
import type { Target } from "../target.js";

/** Names joined for a sentence, or `none`. */
export function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

/** The networks a container is attached to, by name. */
export function networksOf(target: Target): string[] {
  return target.attachments.map((attachment) => attachment.network);
}

/** A container the check found; one it did not find is a bug in what was looked for first. */
export function targetOf(targets: Map<string, Target>, name: string): Target {
  const target = targets.get(name);
  if (!target) throw new Error(`no container "${name}" was found for the check`);
  return target;
}

/** A container the check found, if `name` names one. */
export function foundOrNone(targets: Map<string, Target>, name: string | undefined): Target | undefined {
  return name === undefined ? undefined : targets.get(name);
}

/** The container an endpoint names, if it names one. */
export function nameOf(endpoint: Endpoint): string | undefined {
  return endpoint.kind === "name" ? endpoint.name : undefined;
}
