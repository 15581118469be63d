import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectationsOf } from "../core/check-file/expectations.js";
import { loadSpec, SpecError } from "./load-spec.js";
import { EXAMPLE } from "../core/check-file/spec-test-helpers.js";

const root = mkdtempSync(join(tmpdir(), "netlab-spec-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const full = join(root, path);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, text);
  return full;
}

function loadErrors(path: string): string[] {
  try {
    loadSpec(path);
  } catch (error) {
    if (error instanceof SpecError) return error.lines();
    throw error;
  }
  throw new Error("the spec was accepted");
}

describe("loadSpec", () => {
  it("loads the example beside its compose file, which it resolves against the spec's folder", () => {
    const compose = write("shop/docker-compose.yml", "services:\n  web: {}\n  db: {}\n  edge: {}\n  api: {}\n");
    const spec = loadSpec(write("shop/netlab.yaml", EXAMPLE));
    expect(spec.compose).toBe(compose);
    expect(expectationsOf(spec)).toHaveLength(11);
  });

  it("checks names against the compose file's services", () => {
    write("small/docker-compose.yml", "services:\n  web: {}\n  db: {}\n");
    const file = write("small/netlab.yaml", EXAMPLE);
    expect(loadErrors(file)).toEqual([
      `${file}:8:11 unknown service \`edge\`; services in docker-compose.yml: db, web`,
      `${file}:17:16 unknown service \`edge\`; services in docker-compose.yml: db, web`,
      `${file}:20:14 unknown service \`edge\`; services in docker-compose.yml: db, web`,
      `${file}:20:25 unknown service \`api\`; services in docker-compose.yml: db, web`,
      `${file}:21:22 unknown service \`api\`; services in docker-compose.yml: db, web`,
    ]);
  });

  it("points at the compose value when the file does not exist", () => {
    const file = write(
      "nocompose/netlab.yaml",
      "version: 1\ncompose: stack.yml\nexpect:\n  - {from: a, to: b:0, reach: yes}\n",
    );
    expect(loadErrors(file)).toEqual([
      `${file}:2:10 compose file \`stack.yml\` does not exist (looked for ${join(root, "nocompose/stack.yml")})`,
      `${file}:4:19 bad port 0 in \`b:0\`: a number from 1 to 65535`,
    ]);
  });

  it("reports a broken compose file in that file", () => {
    const compose = write("badcompose/docker-compose.yml", "services: [web\n");
    const file = write(
      "badcompose/netlab.yaml",
      "version: 1\ncompose: docker-compose.yml\nexpect:\n  - {from: web, to: web:1, reach: yes}\n",
    );
    expect(loadErrors(file)[0]).toMatch(new RegExp(`^${compose}:2:1 `));
  });

  it("says when the spec cannot be read", () => {
    expect(loadErrors(join(root, "absent.yaml"))[0]).toMatch(/absent\.yaml:1:1 cannot read the spec: ENOENT/);
  });

  it("names no services without a compose file: names are containers, resolved at run time", () => {
    const file = write("plain/netlab.yaml", "version: 1\nexpect:\n  - {from: anything, to: else:1, reach: yes}\n");
    expect(loadSpec(file).compose).toBeUndefined();
  });
});
