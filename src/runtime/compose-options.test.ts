import { describe, expect, it } from "vitest";
import {
  COMPOSE_LABEL,
  ComposeOptionsError,
  composeExecutable,
  composeProjectName,
  composeVariables,
  containerName,
  parseComposeVersion,
  servicesOf,
} from "./compose-options.js";

describe("parseComposeVersion", () => {
  it("reads compose v1's banner", () => {
    expect(parseComposeVersion("docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\n")).toBe(
      "1.29.2",
    );
  });
  it("reads the v2 plugin's banner and --short", () => {
    expect(parseComposeVersion("Docker Compose version v2.27.0\n")).toBe("2.27.0");
    expect(parseComposeVersion("2.27.0")).toBe("2.27.0");
    expect(parseComposeVersion("Docker Compose version v2.24.6-desktop.1")).toBe("2.24.6-desktop.1");
  });
  it("finds nothing in an error", () => {
    expect(parseComposeVersion("docker: unknown command: docker compose")).toBeUndefined();
    expect(parseComposeVersion("")).toBeUndefined();
  });
});

describe("composeExecutable", () => {
  it("asks testcontainers for docker-compose only when that is what is installed", () => {
    expect(composeExecutable({ kind: "standalone", version: "1.29.2", command: "docker-compose" })).toEqual({
      standalone: true,
    });
    expect(composeExecutable({ kind: "plugin", version: "2.27.0", command: "docker compose" })).toBeUndefined();
  });
});

describe("composeProjectName", () => {
  it("is netlab-<run>-<lab>", () => {
    expect(composeProjectName("1a2b3c4d", "compose")).toBe("netlab-1a2b3c4d-compose");
  });
  it("refuses what compose would rewrite or reject", () => {
    expect(() => composeProjectName("ABC", "compose")).toThrow(ComposeOptionsError);
    expect(() => composeProjectName("a.b", "compose")).toThrow(/lowercase/);
  });
});

describe("composeVariables", () => {
  const input = { image: "netlab/probe:abc", dns: "198.18.0.2", runId: "r1", owner: "host:42", hostPort: 41000 };
  it("names every variable the compose file reads", () => {
    expect(composeVariables(input)).toEqual({
      NETLAB_IMAGE: "netlab/probe:abc",
      NETLAB_DNS: "198.18.0.2",
      NETLAB_RUN_ID: "r1",
      NETLAB_OWNER: "host:42",
      NETLAB_COMPOSE_HOST_PORT: "41000",
    });
  });
  it("refuses a port that is not one", () => {
    expect(() => composeVariables({ ...input, hostPort: 0 })).toThrow(/not a TCP port/);
    expect(() => composeVariables({ ...input, hostPort: 70000 })).toThrow(ComposeOptionsError);
  });
});

describe("servicesOf", () => {
  const container = (id: string, project: string, service?: string) => ({
    Id: id,
    Names: [`/${project}_${service ?? "x"}_1`],
    Labels: { [COMPOSE_LABEL.project]: project, ...(service ? { [COMPOSE_LABEL.service]: service } : {}) },
  });
  it("maps each service of the project to its container, ignoring other projects", () => {
    const services = servicesOf("p", [
      container("1", "p", "web"),
      container("2", "p", "client"),
      container("3", "q", "web"),
    ]);
    expect([...services.keys()].sort()).toEqual(["client", "web"]);
    expect(services.get("web")?.Id).toBe("1");
  });
  it("refuses a scaled service instead of picking one", () => {
    expect(() => servicesOf("p", [container("1", "p", "web"), container("2", "p", "web")])).toThrow(
      /several containers/,
    );
  });
  it("names a container without the engine's slash", () => {
    expect(containerName(container("1", "p", "web"))).toBe("p_web_1");
    expect(containerName({ Id: "abc", Names: [], Labels: {} })).toBe("abc");
  });
});
