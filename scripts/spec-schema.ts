// Writes the spec's and the exercises' JSON Schemas from their zod schemas: `npm run spec:schema`. Unit tests fail when one is stale.
import { writeFileSync } from "node:fs";
import { SPEC_JSON_SCHEMA_FILE, specJsonSchemaText } from "../src/core/check-file/spec-json-schema.js";
import { EXERCISE_JSON_SCHEMA_FILE, exerciseJsonSchemaText } from "../src/practice/exercise-schema.js";

writeFileSync(SPEC_JSON_SCHEMA_FILE, specJsonSchemaText());
console.log(`wrote ${SPEC_JSON_SCHEMA_FILE}`);
writeFileSync(EXERCISE_JSON_SCHEMA_FILE, exerciseJsonSchemaText());
console.log(`wrote ${EXERCISE_JSON_SCHEMA_FILE}`);
