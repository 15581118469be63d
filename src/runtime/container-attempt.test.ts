import { describe, expect, it } from "vitest";
import type { ContainerSpec } from "./container-spec.js";
import { attemptContainer, engineMessage, type AttemptEngine, type AttemptInspection } from "./container-attempt.js";

function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) bad parameter - ${message} `), {
    statusCode,
    json: { message },
  });
}

const SPEC: ContainerSpec = {
  name: "c",
  Image: "netlab/probe:latest",
  Cmd: ["sleep", "1"],
  Labels: {},
  HostConfig: { NetworkMode: "default" },
};
const INSPECTED: AttemptInspection = {
  running: true,
  hostname: "h",
  networkMode: "bridge",
  dns: [],
  portBindings: {},
  ports: {},
};

/** An engine in memory: records calls, refuses where told to. */
function fakeEngine(refuse: { create?: Error; start?: Error } = {}) {
  const present = new Set<string>();
  const calls: string[] = [];
  const engine: AttemptEngine = {
    async create({ name }) {
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
    const { engine, calls } = fakeEngine({
      create: modemError(400, "conflicting options: hostname and the network mode"),
    });
    const result = await attemptContainer(engine, SPEC);
    expect(result).toMatchObject({
      outcome: "refused-at-create",
      message: "conflicting options: hostname and the network mode",
      statusCode: 400,
      leftNothing: true,
    });
    expect(calls).toEqual(["create c"]);
  });

  it("removes a container whose start was refused, and keeps the create warnings", async () => {
    const { engine, calls, present } = fakeEngine({ start: modemError(500, "cannot join own network") });
    const result = await attemptContainer(engine, SPEC);
    expect(result).toMatchObject({
      outcome: "refused-at-start",
      message: "cannot join own network",
      warnings: ["a warning"],
      leftNothing: true,
    });
    expect(calls).toEqual(["create c", "start c", "remove c"]);
    expect(present.size).toBe(0);
  });

  it("inspects a started container, then removes it", async () => {
    const { engine, calls } = fakeEngine();
    const result = await attemptContainer(engine, SPEC);
    expect(result).toEqual({
      outcome: "started",
      message: "",
      warnings: ["a warning"],
      inspected: INSPECTED,
      leftNothing: true,
    });
    expect(calls).toEqual(["create c", "start c", "inspect c", "remove c"]);
  });

  it("says so when something is left behind", async () => {
    const { engine } = fakeEngine({ start: new Error("boom") });
    const result = await attemptContainer({ ...engine, remove: async () => {} }, SPEC);
    expect(result.leftNothing).toBe(false);
  });
});
