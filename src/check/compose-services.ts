import { readFileSync } from "node:fs";
import { SpecError } from "../core/check-file/spec-error.js";
import { YamlSource } from "../core/check-file/yaml-source.js";

/** The service names of a compose file (YAML errors throw a SpecError positioned in that file). */
export function composeServices(path: string, file = path): string[] {
  const source = YamlSource.parse(readFileSync(path, "utf8"), file);
  const services = (source.data as { services?: unknown } | null)?.services;
  if (typeof services !== "object" || services === null || Array.isArray(services)) {
    throw new SpecError([{ ...source.valueAt(["services"]), message: "no `services` map in this compose file" }]);
  }
  return Object.keys(services);
}
