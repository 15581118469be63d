import { Readable } from "node:stream";
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

describe("the network connect events of a container, from what the engine still holds", () => {
  // docker events of `docker run --network h4-a` then `docker network connect h4-b` on Docker 20.10.24, as the API streams them.
  const id = "0d630d3c377983b46c00d619a50357359ecfc68652f9f1fc4fe6b070bfdbf34f";
  const EVENTS = [
    `{"Type":"container","Action":"create","Actor":{"ID":"${id}","Attributes":{"name":"h4-ev"}},"time":1796687100,"timeNano":1796687100934035114}`,
    `{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{"container":"${id}","name":"h4-a","type":"bridge"}},"time":1796687100,"timeNano":1796687100944609005}`,
    `{"Type":"network","Action":"connect","Actor":{"ID":"n9","Attributes":{"container":"another","name":"h4-c","type":"bridge"}},"time":1796687101,"timeNano":1796687101026238647}`,
    `{"Type":"network","Action":"connect","Actor":{"ID":"n2","Attributes":{"container":"${id}","name":"h4-b","type":"bridge"}},"time":1796687102,"timeNano":1796687102357308078}`,
  ];
  const engine: NamedEngine = {
    name: "local",
    docker: {
      modem: {},
      getContainer: () => ({ inspect: async () => ({ Id: id, Name: "/h4-ev", State: {} }) }),
      getEvents: async () => Readable.from(EVENTS.map((line) => `${line}\n`)),
    } as unknown as Dockerode,
  };

  it("keeps this container's connects with their exact nanoseconds, and the oldest event held", async () => {
    const view = engineStateView([engine], () => hostSite(), 1000);
    expect(await view.connectEvents(id)).toEqual({
      events: [
        { network: "h4-a", timeNano: 1796687100944609005n },
        { network: "h4-b", timeNano: 1796687102357308078n },
      ],
      oldestNano: 1796687100934035114n,
    });
  });
});
