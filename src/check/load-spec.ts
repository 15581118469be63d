import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { composeServices } from "./compose-services.js";
import { SpecError } from "../core/check-file/spec-error.js";
import type { Spec } from "../core/check-file/spec.js";
import { validateSpec } from "../core/check-file/validate-spec.js";
import { YamlSource } from "../core/check-file/yaml-source.js";

export { SpecError } from "../core/check-file/spec-error.js";
export type { Spec } from "../core/check-file/spec.js";

function readSpecText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new SpecError(
      [{ file: path, line: 1, col: 1, message: `cannot read the spec: ${(error as Error).message}` }],
      { cause: error },
    );
  }
}

/**
 * Reads and validates a spec file. When it names a compose file (relative to the spec), that file must exist and
 * every name the spec uses must be one of its services. Throws a SpecError listing every problem.
 */
export function loadSpec(path: string): Spec {
  const source = YamlSource.parse(readSpecText(path), path);
  const data = source.data as { compose?: unknown; stack?: unknown } | null;
  // A stack file is compose-format too: its services are the names a stack spec may use.
  const key = typeof data?.compose === "string" ? "compose" : typeof data?.stack === "string" ? "stack" : undefined;
  const compose = key === undefined ? undefined : (data?.[key] as string);
  if (key === undefined || !compose) return validateSpec(source);
  const composePath = isAbsolute(compose) ? compose : join(dirname(path), compose);
  if (!existsSync(composePath)) {
    return validateSpec(source, {
      problems: [
        {
          ...source.valueAt([key]),
          message: `${key} file \`${compose}\` does not exist (looked for ${composePath})`,
        },
      ],
    });
  }
  return validateSpec(source, { composeServices: composeServices(composePath) });
}
