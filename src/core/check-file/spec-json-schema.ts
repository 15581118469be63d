import { z } from "zod";
import { specSchema } from "./spec-schema.js";

/** Where the published JSON Schema lives, relative to the repository root. */
export const SPEC_JSON_SCHEMA_FILE = "schema/netlab-spec.schema.json";

/**
 * The spec's JSON Schema, for editors (`# yaml-language-server: $schema=…/netlab-spec.schema.json`). Draft-07, which
 * editors support best; it describes what is written (`io: "input"`), so parsed values stay strings there.
 */
export function specJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(specSchema, { target: "draft-07", io: "input" });
}

export function specJsonSchemaText(): string {
  return `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
}
