// `npm run build` (also run by npm install and npm pack, and with --if-stale before npm test): netlab's sources
// compiled to dist/, so that the `netlab` command starts without tsx's loader, which costs more CPU than the
// rest of its start (docs/performance.md; bin/netlab.mjs uses dist/ only while it was built from the sources as
// they are: cli-build.mjs).
//
// Transpiled file by file (no type check: `npm run typecheck` does that), into the same folder depth as the
// sources, so every `new URL("../../…", import.meta.url)` still lands in the package root. The modules that
// package.json `exports` names get declarations too (with the modules those import), for a consumer's editor.
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { BUILD_DIR, SOURCE_DIR, STAMP, buildIsFresh, digest, sourceFiles, stampText } from "../bin/cli-build.mjs";
import { bundleCli } from "./bundle-cli.js";

const started = new Date();
if (process.argv.includes("--if-stale") && buildIsFresh()) process.exit(0);
// An install without dev dependencies (npm ci --omit=dev) has no compiler: netlab then runs through tsx.
const ts = await import("typescript").then((module) => module.default).catch(() => undefined);
if (!ts) {
  console.log(
    "netlab: no TypeScript compiler installed (dev dependencies omitted): not built; netlab runs through tsx",
  );
  process.exit(0);
}
const compilerOptions: import("typescript").CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
};
const declarationOptions: import("typescript").CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  declaration: true,
};

/** The sources (paths inside src/) whose declarations package.json `exports` promises under dist/. */
function exportedSources(): string[] {
  const manifest = JSON.parse(readFileSync(join(SOURCE_DIR, "..", "package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
  };
  return Object.values(manifest.exports ?? {}).flatMap((target) => {
    const types = typeof target === "object" && target !== null ? (target as { types?: unknown }).types : undefined;
    const match = typeof types === "string" ? /^\.\/dist\/(.+)\.d\.ts$/.exec(types) : null;
    return match ? [`${match[1]}.ts`] : [];
  });
}

// Built beside dist/ and swapped in whole: a netlab started from the old dist/ still imports modules as it goes.
const fresh = `${BUILD_DIR.replace(/[/\\]$/, "")}.${process.pid}.tmp`;
rmSync(fresh, { recursive: true, force: true });
const sources = sourceFiles();
const digests: Record<string, string> = {};
const texts = new Map<string, string>();
for (const source of sources) {
  const text = readFileSync(join(SOURCE_DIR, source), "utf8");
  texts.set(source, text);
  digests[source] = digest(text);
  const target = join(fresh, source);
  mkdirSync(dirname(target), { recursive: true });
  if (source.endsWith(".mjs")) {
    cpSync(join(SOURCE_DIR, source), target);
  } else {
    const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: source });
    writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
  }
}

// The command's entry over its transpiled self: one bundle and its chunks (scripts/bundle-cli.ts).
const chunks = await bundleCli(fresh);

// Each declaration from its file alone (isolated declarations): a module that needs the type checker to
// say its exported types fails the build here rather than shipping a declaration that lies.
const declared = new Set<string>();
const problems: string[] = [];
const pending = exportedSources();
for (let source = pending.pop(); source !== undefined; source = pending.pop()) {
  if (declared.has(source)) continue;
  declared.add(source);
  const text = texts.get(source);
  if (text === undefined) {
    problems.push(`${source}: named by package.json exports (or imported by a declared module) but not a source`);
    continue;
  }
  const { outputText, diagnostics = [] } = ts.transpileDeclaration(text, {
    compilerOptions: declarationOptions,
    fileName: source,
    reportDiagnostics: true,
  });
  for (const diagnostic of diagnostics)
    problems.push(`src/${source}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
  writeFileSync(join(fresh, source.replace(/\.ts$/, ".d.ts")), outputText);
  for (const [, specifier] of outputText.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]+)\.js"/g))
    pending.push(posix.join(posix.dirname(source), `${specifier}.ts`));
}
if (problems.length > 0) {
  rmSync(fresh, { recursive: true, force: true });
  for (const problem of problems) console.error(`netlab build: ${problem}`);
  process.exit(1);
}

writeFileSync(join(fresh, relative(BUILD_DIR, STAMP)), stampText(digests));
// The stamp carries the time the sources were read: an edit made while the build ran is newer than it.
utimesSync(join(fresh, relative(BUILD_DIR, STAMP)), started, started);
const old = `${fresh}.old`;
if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, old);
renameSync(fresh, BUILD_DIR);
rmSync(old, { recursive: true, force: true });
console.log(
  `netlab: built ${sources.length} file(s), ${declared.size} declaration(s), the command in ${chunks} bundle file(s) into ${relative(process.cwd(), BUILD_DIR) || "."} in ${Date.now() - started.getTime()} ms`,
);
