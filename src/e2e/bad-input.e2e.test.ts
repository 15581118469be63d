import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDeadRunDebris, LABEL } from "../core/labels.js";
import { isOwnerAlive } from "../runtime/owner.js";
import { docker, netlab } from "./netlab-cli.js";
import { dockerAsTyped } from "../runtime/as-typed.js";

/**
 * The README's table of bad inputs and environments: each gets one line starting "netlab:", a non-zero exit
 * code, and leaves nothing behind (no netlab container, network or namespace appears).
 */
const scratch = mkdtempSync(join(tmpdir(), "netlab-bad-input-"));
let before: Set<string>;

/**
 * netlab's objects whose run has no live owner and that were not kept on purpose (another file's `run --keep`
 * may keep some meanwhile): what a failed command would have left behind. `isAlive` is for the control only.
 */
async function orphans(isAlive: (owner: string) => boolean = isOwnerAlive): Promise<string[]> {
  const filters = { label: [LABEL.managed + "=true"] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return [
    ...containers.map((container) => ({ id: container.Id, labels: container.Labels })),
    ...networks.map((network) => ({ id: network.Id, labels: network.Labels ?? {} })),
  ]
    .filter((object) => isDeadRunDebris(object.labels, isAlive))
    .map((object) => object.id);
}

function failureLines(all: string | undefined): string[] {
  return String(all ?? "")
    .split("\n")
    .filter(
      (line) =>
        line.startsWith("netlab:") &&
        !/^netlab: (used the running engine|starting|started|installing|installed|missing)/.test(line),
    );
}

async function expectOneLine(
  result: Awaited<ReturnType<typeof netlab>>,
  exitCode: number,
  message: RegExp,
): Promise<void> {
  const lines = failureLines(result.all as string);
  expect(lines, String(result.all)).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.exitCode).toBe(exitCode);
}

/** A pretend engine that answers like Docker 1.13: the "engine too old" environment without an old engine. */
function oldEngine(socket: string): Promise<Server> {
  const server = createHttpServer((request, response) => {
    if (request.url?.endsWith("/_ping")) return response.end("OK");
    if (request.url?.includes("/version")) {
      response.setHeader("Content-Type", "application/json");
      return response.end(JSON.stringify({ Version: "1.13.1", ApiVersion: "1.26", MinAPIVersion: "1.12" }));
    }
    response.statusCode = 404;
    response.end("{}");
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

beforeAll(async () => {
  before = new Set(await orphans());
});

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  expect(
    (await orphans()).filter((id) => !before.has(id)),
    "bad inputs left netlab objects behind",
  ).toEqual([]);
});

it("control: orphans() lists a netlab container and network whose owner is gone, and not once they are removed", async () => {
  // Owned by this live process, so no other run's sweep of dead runs takes them; orphans() is told this owner is gone.
  const owner = `${hostname()}:${process.pid}`;
  const ownerGone = (candidate: string) => candidate !== owner && isOwnerAlive(candidate);
  const name = `netlab-orphan-control-${process.pid}`;
  const labels = [`${LABEL.managed}=true`, `${LABEL.owner}=${owner}`].flatMap((label) => ["--label", label]);
  const network = (await dockerAsTyped(["network", "create", ...labels, name])).stdout.trim();
  try {
    const container = (
      await dockerAsTyped(["create", "--network", "none", "--name", name, ...labels, "netlab/probe:latest", "true"])
    ).stdout.trim();
    try {
      expect(await orphans(ownerGone)).toEqual(expect.arrayContaining([container, network]));
      // And a live owner's objects are not orphans.
      expect(await orphans()).not.toContain(container);
    } finally {
      await dockerAsTyped(["rm", "-f", name]);
    }
    expect(await orphans(ownerGone)).not.toContain(container);
  } finally {
    await dockerAsTyped(["network", "rm", name]);
  }
  expect(await orphans(ownerGone)).not.toContain(network);
});

describe.concurrent("bad inputs and environments: one line, non-zero exit, nothing left", () => {
  it("no engine", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { DOCKER_HOST: `unix://${scratch}/no-engine.sock` }),
      1,
      /no Docker engine answers at unix:\/\/.*no-engine\.sock/,
    );
  });

  it("socket without permission", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { HOME: scratch }, [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
      ]),
      1,
      /permission denied on unix:\/\/\/var\/run\/docker\.sock/,
    );
  });

  it("unknown lab name", async () => {
    await expectOneLine(
      await netlab(["run", "bridg"]),
      2,
      /unknown lab "bridg"; did you mean bridge\? known labs: .*bridge/,
    );
  });

  it("unknown claim", async () => {
    await expectOneLine(
      await netlab(["run", "bridge:B88"]),
      2,
      /lab bridge has no claim "B88"; did you mean B8\? its claims: B1, /,
    );
  });

  it("invalid CIDR", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_SENTINEL_POOL: "10.0.0.0/33" }),
      1,
      /invalid NETLAB_SENTINEL_POOL="10\.0\.0\.0\/33"/,
    );
  });

  it("invalid config value", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_PROBE_TIMEOUT_MS: "soon" }),
      1,
      /invalid NETLAB_PROBE_TIMEOUT_MS="soon"/,
    );
  });

  it("malformed config file", async () => {
    const file = join(scratch, "netlab.config.json");
    writeFileSync(file, '{ "sentinelPool": ');
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_CONFIG: file }),
      1,
      /config file .*netlab\.config\.json is not valid JSON/,
    );
  });

  it("image missing and no registry", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_IMAGE: "netlab/missing:0" }),
      1,
      /image "netlab\/missing:0" \(NETLAB_IMAGE\) is not on this engine and netlab never pulls/,
    );
  });

  it("port already taken", async () => {
    const holder = createTcpServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      await expectOneLine(
        await netlab(["run", "host"], { NETLAB_HOST_PORT: String(port) }),
        1,
        new RegExp(`NETLAB_HOST_PORT ${port} is already taken on 127\\.0\\.0\\.1`),
      );
    } finally {
      holder.close();
    }
  });

  it("engine too old", async () => {
    const socket = join(scratch, "old-engine.sock");
    const server = await oldEngine(socket);
    try {
      await expectOneLine(
        await netlab(["run", "bridge"], { DOCKER_HOST: `unix://${socket}` }),
        1,
        /engine 1\.13\.1 \(API 1\.26\) is too old: netlab needs API 1\.41/,
      );
    } finally {
      server.close();
    }
  });

  it("a range clash with a user's own network", async () => {
    const name = `user-network-${process.pid}`;
    await dockerAsTyped(["network", "create", "--subnet", "10.250.7.0/24", name]);
    try {
      await expectOneLine(
        await netlab(["run", "bridge"], { NETLAB_SENTINEL_POOL: "10.250.0.0/16" }),
        1,
        /NETLAB_SENTINEL_POOL 10\.250\.0\.0\/16 overlaps the host's own network 10\.250\.7\.0\/24/,
      );
    } finally {
      await dockerAsTyped(["network", "rm", name]);
    }
  });

  it("a reports directory that is a file", async () => {
    const file = join(scratch, "reports-file");
    writeFileSync(file, "");
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_REPORTS_DIR: file }),
      1,
      /reports directory .*reports-file \(NETLAB_REPORTS_DIR\) is a file/,
    );
  });

  it("a NETLAB_CONFIG that names no file", async () => {
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_CONFIG: join(scratch, "absent.json") }),
      1,
      /config file .*absent\.json \(NETLAB_CONFIG\): no such file/,
    );
  });

  it("a bad value in the config file names the file and its key", async () => {
    const file = join(scratch, "bad-value.json");
    writeFileSync(file, JSON.stringify({ probeTimeoutMs: "soon" }));
    await expectOneLine(
      await netlab(["run", "bridge"], { NETLAB_CONFIG: file }),
      1,
      /invalid probeTimeoutMs="soon" in config file .*bad-value\.json/,
    );
  });

  it("an unknown command", async () => {
    const result = await netlab(["frobnicate"]);
    expect(result.exitCode).toBe(2);
    expect(String(result.all)).toMatch(/unknown command 'frobnicate'/);
  });
});
