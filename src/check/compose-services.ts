import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { SpecError } from "../core/check-file/spec-error.js";
import { YamlSource } from "../core/check-file/yaml-source.js";

/** A service of a compose file, the keys netlab reads. */
export interface ComposeService {
  image?: unknown;
  network_mode?: unknown;
  container_name?: unknown;
  /** A list of network keys, or a map of network key → { aliases }. */
  networks?: unknown;
  /** Legacy links: `service` or `service:alias`. */
  links?: unknown;
}

/** A top-level network of a compose file: `name:` overrides compose's `<project>_<key>`; external ones keep their name. */
interface ComposeNetwork {
  name?: unknown;
  external?: unknown;
}

interface ComposeFile {
  services?: Record<string, ComposeService | null>;
  networks?: Record<string, ComposeNetwork | null>;
}

/** A compose file as compose reads it: YAML merge keys (`<<: *svc`) resolved, so an inherited `image:` is seen too. */
export function composeData(text: string): ComposeFile {
  return (parse(text, { merge: true }) as ComposeFile | null) ?? {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The names other than its own a service's container answers to: `container_name`, network aliases, link aliases. */
function otherNames(service: ComposeService | null): string[] {
  if (!service) return [];
  const names = typeof service.container_name === "string" ? [service.container_name] : [];
  if (typeof service.networks === "object" && service.networks !== null && !Array.isArray(service.networks)) {
    for (const settings of Object.values(service.networks as Record<string, { aliases?: unknown } | null>))
      names.push(...strings(settings?.aliases));
  }
  for (const link of strings(service.links)) {
    const alias = link.split(":")[1];
    if (alias) names.push(alias);
  }
  return names;
}

/**
 * The names a spec may use for the containers of a compose file: its services first, then the container names
 * and aliases Docker also resolves. YAML errors throw a SpecError positioned in that file.
 */
export function composeServices(path: string, file = path): string[] {
  const text = readFileSync(path, "utf8");
  const source = YamlSource.parse(text, file);
  const services = (source.data as { services?: unknown } | null)?.services;
  if (typeof services !== "object" || services === null || Array.isArray(services)) {
    throw new SpecError([{ ...source.valueAt(["services"]), message: "no `services` map in this compose file" }]);
  }
  const resolved = composeData(text).services ?? {};
  const others = Object.values(resolved).flatMap(otherNames);
  return [...new Set([...Object.keys(services), ...others])];
}

/**
 * What each network key of a compose file is called on the engine once compose created it under `project`:
 * `<project>_<key>`, or its `name:`, or (external) the name as written. `default` is compose's own network.
 */
export function projectNetworks(text: string, project: string): Map<string, string> {
  const names = new Map<string, string>([["default", `${project}_default`]]);
  for (const [key, network] of Object.entries(composeData(text).networks ?? {})) {
    const external = network?.external;
    const externalName =
      typeof external === "object" && external !== null ? (external as { name?: unknown }).name : undefined;
    const named = typeof network?.name === "string" ? network.name : undefined;
    const name = external ? (named ?? (typeof externalName === "string" ? externalName : key)) : named;
    names.set(key, name ?? `${project}_${key}`);
  }
  return names;
}
