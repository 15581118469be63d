#!/usr/bin/env node
// The `netlab` command (npx netlab, or after npm install -g). It runs the compiled sources in dist/ (npm run
// build; npm install and npm test build them) while they are those of src/; after an edit, src/ itself
// through tsx's loader, which is correct but slower to start.
import { buildIsFresh } from "./cli-build.mjs";

if (buildIsFresh()) {
  await import("../dist/cli/main.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
