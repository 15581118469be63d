import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { target, targets } from "./check-test-helpers.js";
import { engineStateView } from "./engine-state-view.js";
import type { NamedEngine } from "./engine-set.js";
import { hostSite } from "../runtime/site.js";

/** An engine that knows containers by exact name (status and logs) and networks by name. */
function engineWith(
  name: string,
  containers: Record<string, { status: string; logs: string }>,
  networks: Record<string, { driver: string }> = {},
): NamedEngine {
  const missing = () => Object.assign(new Error("no such object"), { statusCode: 404 });
  const docker = {
    modem: {},
    getContainer: (id: string) => ({
      inspect: async () => {
        const found = containers[id];
        if (!found) throw missing();
        return { Id: `${name}-${id}-id`, Name: `/${id}`, State: { Status: found.status, ExitCode: 0 } };
      },
      logs: async () => {
        const found = containers[id];
        if (!found) throw missing();
        return Buffer.from(found.logs);
      },
    }),
    getNetwork: (id: string) => ({
      inspect: async () => {
        const found = networks[id];
        if (!found) throw missing();
        return {
          Name: id,
          Driver: found.driver,
          Internal: false,
          Attachable: false,
          Options: {},
          IPAM: { Config: [] },
        };
      },
    }),
  } as unknown as Dockerode;
  return { name, docker };
}

describe("engineStateView over an engine set", () => {
  const engines = [
    engineWith("local", { web: { status: "exited", logs: "the machine's web\n" } }),
    engineWith("node1", {}, { back: { driver: "overlay" } }),
    engineWith("node2", { web: { status: "running", logs: "node2's web\n" }, db: { status: "running", logs: "db\n" } }),
  ];

  it("reads a found target's container on the engine it was found on, though another engine has the name too", async () => {
    const view = engineStateView(
      engines,
      () => hostSite(),
      1000,
      targets(target("web", ["back"], { engine: "node2", container: "web" })),
    );
    expect((await view.container("web"))?.status).toBe("running");
    expect(await view.logs("web")).toBe("node2's web\n");
  });

  it("reads any other name on the first engine that has it, the machine's first", async () => {
    const view = engineStateView(engines, () => hostSite(), 1000);
    expect((await view.container("web"))?.status).toBe("exited");
    expect((await view.container("db"))?.status).toBe("running");
    expect((await view.network("back"))?.driver).toBe("overlay");
    expect(await view.container("nothing")).toBeUndefined();
    expect(await view.network("nothing")).toBeUndefined();
  });
});
