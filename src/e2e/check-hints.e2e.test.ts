import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseJson,
  runNetlab,
  scratchDir,
  startHttpServer,
  uniqueName,
  type CheckRun,
  type JsonExpectation,
} from "./check-e2e-helpers.js";
import { dockerAsTyped } from "../runtime/as-typed.js";

/**
 * Hints read from the engine as it is: a network made with enable_icc=false, beside one made without it, each
 * hint paired with the case where its construct is absent (the same probe on the open network).
 */

const prefix = uniqueName("hint");
const names = {
  quiet: `${prefix}-quiet`,
  open: `${prefix}-open`,
  qa: `${prefix}-qa`,
  qb: `${prefix}-qb`,
  oa: `${prefix}-oa`,
  ob: `${prefix}-ob`,
};
const containers = [names.qa, names.qb, names.oa, names.ob];
const dir = scratchDir("hints");
let run: CheckRun;
let byId: Map<string, JsonExpectation>;

beforeAll(async () => {
  await dockerAsTyped(["network", "create", "-o", "com.docker.network.bridge.enable_icc=false", names.quiet]);
  await dockerAsTyped(["network", "create", names.open]);
  await Promise.all([
    startHttpServer(names.qa, 8080, { network: names.quiet }),
    startHttpServer(names.qb, 8080, { network: names.quiet }),
    startHttpServer(names.oa, 8080, { network: names.open }),
    startHttpServer(names.ob, 8080, { network: names.open }),
  ]);
  writeFileSync(
    join(dir, "hints.yaml"),
    [
      "version: 2",
      "expect:",
      `  - {id: quiet-blocked, from: ${names.qa}, to: '${names.qb}:8080', reach: yes, within: 1s}`,
      `  - {id: open-connects, from: ${names.oa}, to: '${names.ob}:8080', reach: yes, within: 5s}`,
      `  - {id: quiet-closed-port, from: ${names.qa}, to: '${names.qb}:8081', reach: no}`,
      `  - {id: open-closed-port, from: ${names.oa}, to: '${names.ob}:8081', reach: no}`,
      `  - {id: across, from: ${names.qa}, to: '${names.ob}:8080', reach: yes, within: 1s}`,
      "",
    ].join("\n"),
  );
  run = await runNetlab(["check", join(dir, "hints.yaml"), "--json", "--reports-dir", join(dir, "reports")]);
  byId = new Map(parseJson(run).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]));
});

afterAll(async () => {
  await dockerAsTyped(["rm", "-f", ...containers], { reject: false });
  await dockerAsTyped(["network", "rm", names.quiet, names.open], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

describe("hints name the construct in use, read from the engine", () => {
  it("decides both networks: blocked on the enable_icc=false one, connected on the other", () => {
    const observed = Object.fromEntries([...byId.values()].map((each) => [each.id, [each.held, each.observed]]));
    expect(observed).toMatchObject({
      "quiet-blocked": [false, "timed-out"],
      "open-connects": [true, "connected"],
      "quiet-closed-port": [true, "timed-out"],
      "open-closed-port": [false, expect.stringMatching(/^refused/)],
      across: [false, "timed-out"],
    });
    expect(run.exitCode).toBe(1);
  });

  it("a reach blocked on a network made with enable_icc=false names the option", () => {
    expect(byId.get("quiet-blocked")!.hint).toBe(
      `${names.quiet} is created with com.docker.network.bridge.enable_icc=false: its containers do not reach each other (docker network inspect -f '{{json .Options}}' ${names.quiet})`,
    );
  });

  it("a version-2 reach no that saw refused: the port is closed, but the path is open, and how to take them apart", () => {
    expect(byId.get("open-closed-port")!.hint).toMatch(
      new RegExp(
        `^the port is closed, but the path is open: ${names.oa} reaches ${names.ob}'s address \\(\\d+\\.\\d+\\.\\d+\\.\\d+ on ${names.open}\\); take them apart \\(docker network disconnect ${names.open} ${names.oa}\\)$`,
      ),
    );
  });

  it("a cross-network time-out: the connect that lets it through, and what it exposes", () => {
    expect(byId.get("across")!.hint).toContain(
      `docker network connect ${names.open} ${names.qa} lets it through (and exposes ${names.qa} to every container on ${names.open}: ${names.oa}, ${names.ob})`,
    );
  });
});
