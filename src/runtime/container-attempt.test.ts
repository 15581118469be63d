import { describe, expect, it } from "vitest";
import type { RunEnvironment } from "../core/run-environment.js";
import { attemptBody, attemptContainer, engineMessage, type AttemptEngine, type AttemptInspection } from "./container-attempt.js";

function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) bad parameter - ${message} `), { statusCode, json: { message } });
}

const INSPECTED: AttemptInspection = { running: true, hostname: "h", networkMode: "bridge", dns: [], portBindings: {}, ports: {} };

/** An engine in memory: records calls, refuses where told to. */
function fakeEngine(refuse: { create?: Error; start?: Error } = {}) {
  const present = new Set<string>();
  const calls: string[] = [];
  const engine: AttemptEngine = {
    async create(name) {
      calls.push(`create ${name}`);
      if (refuse.create) throw refuse.create;
      present.add(name);
      return { id: name, warnings: ["a warning"] };
    },
    async start(id) {
      calls.push(`start ${id}`);
      if (refuse.start) throw refuse.start;
    },
    async inspect(id) {
      calls.push(`inspect ${id}`);
      return INSPECTED;
    },
    async remove(id) {
      calls.push(`remove ${id}`);
      present.delete(id);
    },
    async exists(name) {
      return present.has(name);
    },
  };
  return { engine, calls, present };
}

describe("engineMessage", () => {
  it("keeps the engine's own words and status from a docker-modem error", () => {
    expect(engineMessage(modemError(400, "conflicting options: dns and the network mode"))).toEqual({
      message: "conflicting options: dns and the network mode",
      statusCode: 400,
    });
  });

  it("falls back to the error's message, or to the value itself", () => {
    expect(engineMessage(new Error("socket hang up"))).toEqual({ message: "socket hang up" });
    expect(engineMessage(Object.assign(new Error("x"), { json: "plain text answer\n", statusCode: 500 }))).toEqual({
      message: "plain text answer",
      statusCode: 500,
    });
    expect(engineMessage("odd")).toEqual({ message: "odd" });
  });
});

describe("attemptContainer", () => {
  it("reports a refused create with the engine's message, having created nothing", async () => {
    const { engine, calls } = fakeEngine({ create: modemError(400, "conflicting options: hostname and the network mode") });
    const result = await attemptContainer(engine, "c", {});
    expect(result).toMatchObject({ outcome: "refused-at-create", message: "conflicting options: hostname and the network mode", statusCode: 400, leftNothing: true });
    expect(calls).toEqual(["create c"]);
  });

  it("removes a container whose start was refused, and keeps the create warnings", async () => {
    const { engine, calls, present } = fakeEngine({ start: modemError(500, "cannot join own network") });
    const result = await attemptContainer(engine, "c", {});
    expect(result).toMatchObject({ outcome: "refused-at-start", message: "cannot join own network", warnings: ["a warning"], leftNothing: true });
    expect(calls).toEqual(["create c", "start c", "remove c"]);
    expect(present.size).toBe(0);
  });

  it("inspects a started container, then removes it", async () => {
    const { engine, calls } = fakeEngine();
    const result = await attemptContainer(engine, "c", {});
    expect(result).toEqual({ outcome: "started", message: "", warnings: ["a warning"], inspected: INSPECTED, leftNothing: true });
    expect(calls).toEqual(["create c", "start c", "inspect c", "remove c"]);
  });

  it("says so when something is left behind", async () => {
    const { engine } = fakeEngine({ start: new Error("boom") });
    const result = await attemptContainer({ ...engine, remove: async () => {} }, "c", {});
    expect(result.leftNothing).toBe(false);
  });
});

describe("attemptBody", () => {
  const env = { runId: "r1", owner: "h:1", image: "netlab/probe:latest", sentinel: { address: "198.18.0.2" } } as RunEnvironment;

  it("gives the sentinel as resolver unless told to set none", () => {
    expect(attemptBody(env, "bridge", { role: "x" })).toMatchObject({ HostConfig: { NetworkMode: "default", Dns: ["198.18.0.2"] } });
  });

  it("sends only the options given, labelled with the run", () => {
    const body = attemptBody(env, "container", { role: "joined", network: "container:abc", dns: false });
    expect(body).toMatchObject({ Image: "netlab/probe:latest", HostConfig: { NetworkMode: "container:abc" } });
    expect(body).not.toHaveProperty("Hostname");
    expect(body).not.toHaveProperty("ExposedPorts");
    expect(body.HostConfig).not.toHaveProperty("Dns");
    expect(body.HostConfig).not.toHaveProperty("PortBindings");
    expect(body.Labels).toMatchObject({ "dev.netlab.run": "r1", "dev.netlab.lab": "container", "dev.netlab.role": "joined" });
  });

  it("maps hostname, dns and -p the way the CLI does", () => {
    const body = attemptBody(env, "container", {
      role: "x",
      hostname: "named",
      dns: ["198.18.0.9"],
      publish: [{ hostIp: "127.0.0.1", hostPort: 18080, containerPort: 80 }],
    });
    expect(body).toMatchObject({
      Hostname: "named",
      ExposedPorts: { "80/tcp": {} },
      HostConfig: { NetworkMode: "default", Dns: ["198.18.0.9"], PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }] } },
    });
  });

  it("publishes one container port on several host addresses", () => {
    const body = attemptBody(env, "published", {
      role: "x",
      publish: [
        { hostIp: "127.0.0.1", hostPort: 1001, containerPort: 80 },
        { hostIp: "198.18.0.1", hostPort: 1002, containerPort: 80 },
      ],
    });
    expect(body).toMatchObject({
      ExposedPorts: { "80/tcp": {} },
      HostConfig: { PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "1001" }, { HostIp: "198.18.0.1", HostPort: "1002" }] } },
    });
  });
});
