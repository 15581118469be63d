import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { recordedInspect } from "./check-test-helpers.js";
import { engineSet, type NamedEngine } from "./engine-set.js";
import { findTargets, linkedAs, stoppedBecause, TargetMissingError } from "./find-targets.js";

/** An engine that knows only the given containers, by exact name, as the Engine API's inspect would. */
function engineWith(name: string, containers: Record<string, Dockerode.ContainerInspectInfo>): NamedEngine {
  const docker = {
    modem: { socketPath: `/run/netlab/${name}.sock` },
    listContainers: async () => [],
    getContainer: (id: string) => ({
      inspect: async () => {
        const found = containers[id];
        if (!found) throw Object.assign(new Error("no such container"), { statusCode: 404 });
        return found;
      },
    }),
  } as unknown as Dockerode;
  return { name, docker };
}

const named = (name: string, running = true): Dockerode.ContainerInspectInfo => {
  const info = recordedInspect("published");
  return { ...info, Name: `/${name}`, Id: `${name}-id`, State: { ...info.State, Running: running } };
};

describe("findTargets over an engine set", () => {
  it("records the engine each name was found on; the machine's is `local`", async () => {
    const engines = engineSet(engineWith("local", { web: named("web") }).docker, [
      engineWith("node1", {}),
      engineWith("node2", { db: named("db") }),
    ]);
    const targets = await findTargets(engines, ["web", "db"]);
    expect(targets.get("web")?.engine).toBe("local");
    expect(targets.get("db")?.engine).toBe("node2");
    expect(targets.get("db")?.container).toBe("db");
  });

  it("stops with one line naming both engines when a name is found on two", async () => {
    const engines = engineSet(engineWith("local", {}).docker, [
      engineWith("node1", { web: named("web") }),
      engineWith("node2", { web: named("web", false) }),
    ]);
    const error = await findTargets(engines, ["web"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TargetMissingError);
    const message = (error as Error).message;
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(/"web" on node1 .*docker -H unix:\/\/\/run\/netlab\/node1\.sock ps.* and node2 /);
  });

  it("with the machine's engine alone, a missing name reads as before", async () => {
    const error = await findTargets(engineSet(engineWith("local", {}).docker), ["api"]).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe('no container is named "api": see "docker ps -a"');
  });

  it("refuses an engine set that names one engine twice", () => {
    const local = engineWith("local", {}).docker;
    expect(() => engineSet(local, [engineWith("local", {})])).toThrow(/local given twice/);
  });
});

describe("linkedAs: the container a legacy link names", () => {
  const linking = (hostLinks: string[], networkLinks: string[]): Dockerode.ContainerInspectInfo => {
    const info = named("cli");
    return {
      ...info,
      HostConfig: { ...info.HostConfig, Links: hostLinks },
      NetworkSettings: { ...info.NetworkSettings, Networks: { net: { Links: networkLinks } as never } },
    } as Dockerode.ContainerInspectInfo;
  };

  it("reads the default bridge's `/db:/cli/database` and a user network's `db:database`", () => {
    expect(linkedAs(linking(["/db:/cli/database"], []), "database")).toEqual(["db"]);
    expect(linkedAs(linking([], ["f1-db:database"]), "database")).toEqual(["f1-db"]);
    expect(linkedAs(linking(["/db:/cli/database"], ["f1-db:database"]), "db")).toEqual([]);
  });
});

describe("stoppedBecause: the log line that says why a container stopped", () => {
  it("finds the error above a usage text, else the last line", () => {
    const busybox =
      "nc: invalid option -- 'k'\nBusyBox v1.36.1 multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT\n\t-e PROG\tRun PROG after connect\n";
    expect(stoppedBecause(busybox)).toBe("nc: invalid option -- 'k'");
    expect(stoppedBecause("starting\nbye\n")).toBe("bye");
    expect(stoppedBecause("")).toBeUndefined();
  });
});
