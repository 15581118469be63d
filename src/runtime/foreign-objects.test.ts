import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeForeign, pickForeign } from "./foreign-objects.js";
import { forgetComposeProject, liveComposeProjects, noteComposeProject } from "./own-compose-projects.js";

const netlabs = { "dev.netlab.managed": "true" };
const composeOf = (project: string) => ({ "com.docker.compose.project": project });

describe("pickForeign", () => {
  it("names what carries neither netlab's label nor a compose project netlab brought up", () => {
    const found = pickForeign(
      [
        { name: "netlab-1a2b-bridge-first", labels: netlabs },
        { name: "shop-test_web_1", labels: composeOf("shop-test") },
        { name: "users-db", labels: {} },
        { name: "mystack_api_1", labels: composeOf("mystack") },
        { name: "unlabelled", labels: null },
      ],
      [
        { name: "bridge", labels: {} },
        { name: "host", labels: {} },
        { name: "none", labels: {} },
        { name: "netlab-1a2b-user-bridge-net", labels: netlabs },
        { name: "shop-test_front", labels: composeOf("shop-test") },
        { name: "mystack_default", labels: composeOf("mystack") },
        { name: "docker_gwbridge", labels: {} },
      ],
      new Set(["shop-test"]),
    );
    expect(found).toEqual({
      containers: ["mystack_api_1", "unlabelled", "users-db"],
      networks: ["docker_gwbridge", "mystack_default"],
    });
  });

  it("finds nothing on an engine that holds only netlab's and the engine's own (the control of the case above)", () => {
    expect(pickForeign([{ name: "a", labels: netlabs }], [{ name: "bridge", labels: null }], new Set())).toEqual({
      containers: [],
      networks: [],
    });
  });

  it("spares the names the caller answers for", () => {
    const found = pickForeign(
      [
        { name: "p12-a", labels: {} },
        { name: "mine", labels: {} },
      ],
      [{ name: "p12-mesh", labels: {} }],
      new Set(),
      new Set(["p12-a", "p12-mesh"]),
    );
    expect(found).toEqual({ containers: ["mine"], networks: [] });
  });
});

describe("describeForeign", () => {
  it("says what it found in one phrase, and nothing when there is nothing", () => {
    expect(describeForeign({ containers: ["a", "b"], networks: ["x"] })).toBe("containers a, b; network x");
    expect(describeForeign({ containers: [], networks: ["x", "y"] })).toBe("networks x, y");
    expect(describeForeign({ containers: [], networks: [] })).toBeUndefined();
  });
});

describe("compose projects netlab brought up", () => {
  it("are netlab's while the process that noted them lives, and no longer once forgotten or dead", () => {
    const dir = mkdtempSync(join(tmpdir(), "netlab-compose-notes-"));
    noteComposeProject("alive", "here:1", dir);
    noteComposeProject("dead", "here:2", dir);
    const alive = (owner: string) => owner === "here:1";
    expect([...liveComposeProjects(dir, alive)]).toEqual(["alive"]);
    forgetComposeProject("alive", dir);
    expect([...liveComposeProjects(dir, alive)]).toEqual([]);
    expect([...liveComposeProjects(join(dir, "missing"), alive)]).toEqual([]);
  });
});
