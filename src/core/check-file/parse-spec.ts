import type { Spec } from "./spec.js";
import { validateSpec } from "./validate-spec.js";
import { YamlSource } from "./yaml-source.js";

/** Parses and validates spec text; `file` names it in errors and anchors the compose path. No I/O. */
export function parseSpec(text: string, file: string, options: { composeServices?: string[] } = {}): Spec {
  return validateSpec(YamlSource.parse(text, file), options);
}
