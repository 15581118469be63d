// `npm test [-- --no-install] [-- vitest's arguments]`: builds dist/ when it is stale (what the `netlab`
// command runs), then hands over to the suite runner, compiled when the build is fresh, else through tsx.
// Plain JavaScript so that npm test starts without tsx's loader when nothing changed.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { buildIsFresh } from "../bin/cli-build.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

if (!buildIsFresh()) {
  const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-cli.ts", "--if-stale"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
let suite;
if (buildIsFresh()) {
  suite = await import("../dist/cli/suite-run.js");
} else {
  const { register } = await import("tsx/esm/api");
  register();
  suite = await import("../src/cli/suite-run.ts");
}
// Exit at once with vitest's code: the engine client's idle sockets would otherwise hold the process open.
process.exit(await suite.runSuite(process.argv.slice(2)));
