import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { composeServices, projectNetworks } from "./compose-services.js";
import { loadSpec, SpecError } from "./load-spec.js";

const root = mkdtempSync(join(tmpdir(), "h6-compose-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COMPOSE = [
  "x-base: &base",
  "  image: netlab/probe:latest",
  "  networks:",
  "    dbnet: {aliases: [database]}",
  "services:",
  "  db:",
  "    <<: *base",
  "    container_name: shop-db",
  "  web:",
  "    image: netlab/probe:latest",
  "    links: ['db:legacy-db']",
  "networks:",
  "  dbnet: {}",
  "  named: {name: exactly-this}",
  "  outer: {external: true}",
].join("\n");

function write(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

describe("the names a compose file gives its containers", () => {
  it("lists services, then container names and aliases Docker also resolves (merge keys resolved)", () => {
    expect(composeServices(write("docker-compose.yml", COMPOSE))).toEqual([
      "db",
      "web",
      "shop-db",
      "database",
      "legacy-db",
    ]);
  });

  it("lets a spec use a container_name and an alias, and still refuses a name compose never gives", () => {
    write("docker-compose.yml", COMPOSE);
    const spec = write(
      "netlab.yaml",
      [
        "version: 2",
        "compose: docker-compose.yml",
        "expect:",
        "  - {from: web, to: 'shop-db:5432', reach: yes}",
        "  - {from: web, resolve: database, reach: yes}",
        "  - {from: shop-db, to: 'web:80', reach: yes}",
      ].join("\n"),
    );
    expect(loadSpec(spec).expect).toHaveLength(3);
    const bad = write(
      "bad.yaml",
      "version: 2\ncompose: docker-compose.yml\nexpect:\n  - {from: web, to: 'shopdb:1', reach: yes}\n",
    );
    expect(() => loadSpec(bad)).toThrow(SpecError);
    expect(() => loadSpec(bad)).toThrow(/unknown service `shopdb` \(did you mean `shop-db`\?\)/);
  });

  it("names each network key as compose creates it under the project", () => {
    expect(Object.fromEntries(projectNetworks(COMPOSE, "shop"))).toEqual({
      default: "shop_default",
      dbnet: "shop_dbnet",
      named: "exactly-this",
      outer: "outer",
    });
  });
});
