import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SPEC_JSON_SCHEMA_FILE, specJsonSchema, specJsonSchemaText } from "./spec-json-schema.js";

describe("the published JSON Schema", () => {
  it("is what `npm run spec:schema` generates now", () => {
    expect(readFileSync(SPEC_JSON_SCHEMA_FILE, "utf8"), "run `npm run spec:schema` and commit the result").toBe(
      specJsonSchemaText(),
    );
  });

  it("describes the spec for editors: draft-07, titled, strict, every expectation shape", () => {
    const schema = specJsonSchema() as {
      $schema: string;
      title: string;
      additionalProperties: boolean;
      properties: { expect: { items: { anyOf: { title: string }[] } } };
    };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.title).toMatch(/netlab spec/);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.expect.items.anyOf.map((shape) => shape.title)).toEqual([
      "reach",
      "resolve",
      "resolver",
      "publishes",
      "matrix",
      "network",
      "docker-network",
      "address",
      "interfaces",
      "container",
      "fdb",
      "neighbour",
      "route",
      "flows",
      "iptables",
      "command",
      "ping",
      "http",
    ]);
  });
});
