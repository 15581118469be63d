#!/usr/bin/env node
// The `netlab` command (npx netlab in a project that installed it, node bin/netlab.mjs in netlab's checkout).
// It runs the compiled sources in dist/ (npm run build; npm install, npm pack and npm test build them) while
// they were built from src/ as it is; after an edit, src/ itself through tsx's loader, which is correct but
// slower to start. DEBUG=netlab:build says which.
import createDebug from "debug";
import { buildIsFresh } from "./cli-build.mjs";

const debug = createDebug("netlab:build");
if (buildIsFresh()) {
  debug("running the compiled dist/");
  await import("../dist/cli/main.js");
} else {
  debug("dist/ was not built from src/ as it is: running src/ through tsx");
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
