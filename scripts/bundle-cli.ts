// The `netlab` command as one bundle: dist/cli/main.js and the chunks its lazy imports load, beside it. A command
// that loads 250 of netlab's modules and 500 of its dependencies' spends more CPU finding, reading and compiling
// files than doing its work (docs/performance.md); a bundle loads a few dozen. The file-by-file build stays under
// it: package.json's exports, the reaper and the sentinel's server are started from their own files.
import { readFile, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Plugin } from "esbuild";

/**
 * Left to node_modules: packages that read files beside their own code (dockerode's .proto files through
 * __dirname), load native addons (ssh2, cpu-features) or are whole programs netlab starts (testcontainers for
 * compose --up, the report's browser, allure, the compilers). The rest (zod, yaml, execa, commander…) is bundled.
 */
const LEFT_TO_NODE_MODULES = [
  "dockerode",
  "docker-modem",
  "ssh2",
  "cpu-features",
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "protobufjs",
  "testcontainers",
  "playwright-core",
  "allure",
  "typescript",
  "tsx",
  "vitest",
  "esbuild",
];

/** A bare import's package name: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Each module's `import.meta.url` made the URL its own file has in dist/, so `new URL("../../labs/", …)` and
 * `createRequire(…)` find what they found before it was bundled. Relative to the bundle's folder, so the
 * package can be moved (npm pack, an install elsewhere) after it is built.
 */
function ownUrls(buildDir: string, outDir: string): Plugin {
  return {
    name: "netlab-own-urls",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        if (!path.startsWith(buildDir + sep)) return undefined;
        const text = await readFile(path, "utf8");
        if (!text.includes("import.meta.url")) return { contents: text, loader: "js" };
        const own = relative(outDir, path).split(sep).join("/");
        return {
          contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(own)}, import.meta.url).href`),
          loader: "js",
        };
      });
    },
  };
}

/** Bundles buildDir/cli/main.js (already transpiled) over itself; its chunks go beside it, at the same depth. */
export async function bundleCli(buildDir: string): Promise<number> {
  const esbuild = await import("esbuild");
  const outDir = join(buildDir, "cli");
  const external = new Set(LEFT_TO_NODE_MODULES);
  const result = await esbuild.build({
    entryPoints: [join(outDir, "main.js")],
    outdir: outDir,
    entryNames: "[name]",
    chunkNames: "main-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "error",
    // Bundled CommonJS packages call require() (optional modules, JSON): one made for the bundle's own place.
    banner: {
      js: 'import { createRequire as netlabRequire } from "node:module";\nconst require = netlabRequire(import.meta.url);',
    },
    plugins: [
      ownUrls(buildDir, outDir),
      {
        name: "netlab-left-to-node-modules",
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, ({ path }) =>
            path.startsWith("node:") || external.has(packageOf(path)) ? { path, external: true } : undefined,
          );
        },
      },
    ],
  });
  await Promise.all(result.outputFiles.map((file) => writeFile(file.path, file.contents)));
  return result.outputFiles.length;
}
