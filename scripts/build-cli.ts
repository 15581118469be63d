// `npm run build` (also run by npm install, and with --if-stale before npm test): netlab's sources compiled to dist/, so that
// the `netlab` command starts without tsx's loader, which costs a start 0.5 s of CPU on top of 0.8 s
// (bin/netlab.mjs uses dist/ only while it is newer than every source: cli-build.mjs).
//
// Transpiled file by file (no type check: `npm run typecheck` does that), into the same folder depth as the
// sources, so every `new URL("../../…", import.meta.url)` still lands in the package root.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { BUILD_DIR, SOURCE_DIR, STAMP, buildIsFresh, isSource } from "../bin/cli-build.mjs";

const started = Date.now();
if (process.argv.includes("--if-stale") && buildIsFresh()) process.exit(0);
// An install without dev dependencies (npm ci --omit=dev) has no compiler: netlab then runs through tsx.
const ts = await import("typescript").then((module) => module.default).catch(() => undefined);
if (!ts) {
  console.log("netlab: no TypeScript compiler installed (dev dependencies omitted): not built; netlab runs through tsx");
  process.exit(0);
}
const compilerOptions: import("typescript").CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };
// Built beside dist/ and swapped in whole: a netlab started from the old dist/ still imports modules as it goes.
const fresh = `${BUILD_DIR.replace(/[/\\]$/, "")}.${process.pid}.tmp`;
rmSync(fresh, { recursive: true, force: true });
let files = 0;
for (const entry of readdirSync(SOURCE_DIR, { recursive: true, withFileTypes: true })) {
  const source = join(entry.parentPath, entry.name);
  if (!entry.isFile() || !isSource(source)) continue;
  const target = join(fresh, relative(SOURCE_DIR, source));
  mkdirSync(dirname(target), { recursive: true });
  if (source.endsWith(".mjs")) {
    cpSync(source, target);
  } else {
    const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), { compilerOptions, fileName: source });
    writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
  }
  files++;
}
writeFileSync(join(fresh, relative(BUILD_DIR, STAMP)), `${new Date().toISOString()}\n`);
const old = `${fresh}.old`;
if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, old);
renameSync(fresh, BUILD_DIR);
rmSync(old, { recursive: true, force: true });
console.log(`netlab: built ${files} file(s) into ${relative(process.cwd(), BUILD_DIR) || "."} in ${Date.now() - started} ms`);
