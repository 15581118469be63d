// Writes the spec's JSON Schema from its zod schema: `npm run spec:schema`. A unit test fails when it is stale.
import { writeFileSync } from "node:fs";
import { SPEC_JSON_SCHEMA_FILE, specJsonSchemaText } from "../src/core/spec/spec-json-schema.js";

writeFileSync(SPEC_JSON_SCHEMA_FILE, specJsonSchemaText());
console.log(`wrote ${SPEC_JSON_SCHEMA_FILE}`);
