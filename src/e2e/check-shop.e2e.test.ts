import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectationsOf } from "../core/check-file/expectations.js";
import { loadSpec } from "../check/load-spec.js";
import {
  freeHostPort,
  movedOnto,
  networkNone,
  notInternal,
  onHostPort,
  parseJson,
  plantRemains,
  publishedEverywhere,
  remains,
  removeProject,
  runIdOf,
  runNetlab,
  scratchDir,
  SHOP,
  shopCompose,
  uniqueName,
  writeShop,
  type CheckRun,
  type Compose,
  type JsonExpectation,
} from "./check-e2e-helpers.js";
import { docker } from "./netlab-cli.js";

/**
 * `netlab check` on the shop stack as a user runs it: the example as written passes, and four stacks a team
 * could easily get wrong each fail exactly the expectations that describe what went wrong, with a hint
 * naming the Docker construct. Every run brings its own compose project up and down (--up). The six runs go
 * at once (describe.concurrent): each has its own project name, host port, reports directory and run id, and
 * each test reads only its own run's results; they wait on the engine, not on each other.
 */

const SHOP_SPEC = join(SHOP, "netlab.yaml");
/** Every id of the shop's spec, as the parser expands it (41: 20 written, 21 matrix cells). */
const SHOP_IDS = expectationsOf(loadSpec(SHOP_SPEC)).map((expectation) => expectation.id);

const NOTHING_LEFT = {
  projectContainers: [],
  projectNetworks: [],
  netlabContainers: [],
  run: { containers: 0, networks: 0, namespaces: 0 },
};

type Run = CheckRun;

describe('control: the query behind every "leaves nothing behind" sees what is there', () => {
  it("lists a compose project's container and network, a process's container and a run's objects made on purpose; nothing once removed", async () => {
    const planted = await plantRemains();
    try {
      expect(await remains(planted.query)).toEqual({
        projectContainers: [`/${planted.container}`],
        projectNetworks: [planted.network],
        netlabContainers: [`/${planted.container}`],
        run: { containers: 1, networks: 1, namespaces: 1 },
      });
    } finally {
      await planted.remove();
    }
    expect(await remains(planted.query)).toEqual(NOTHING_LEFT);
  });
});

describe.concurrent("the shop as written: npx netlab check examples/shop/netlab.yaml --up", () => {
  const project = uniqueName("shop");
  const reports = scratchDir("shop-reports");
  let run: Run;

  beforeAll(async () => {
    run = await runNetlab([
      "check",
      "examples/shop/netlab.yaml",
      "--up",
      "--project",
      project,
      "--reports-dir",
      reports,
    ]);
  });

  afterAll(async () => {
    await removeProject(project);
    rmSync(reports, { recursive: true, force: true });
  });

  it("exits 0", () => {
    expect(SHOP_IDS).toHaveLength(41);
    expect(run.exitCode, String(run.all)).toBe(0);
  });

  it("prints one line per expectation, as it is decided, and the closing line", () => {
    const lines = String(run.stdout).split("\n");
    const decided = lines.filter((line) => /^[✓✗] /.test(line));
    expect(decided).toHaveLength(41);
    expect(decided.every((line) => line.startsWith("✓ "))).toBe(true);
    for (const id of SHOP_IDS)
      expect(
        decided.filter((line) => line.startsWith(`✓ ${id}  [`)),
        id,
      ).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^netlab check: ✓ 41 held, 0 did not hold, of 41 expectation\(s\) in 1 spec\(s\), \d+\.\d s$/,
      ),
    );
  });

  it("writes summary.md, junit.xml with one testcase per expectation named by its id, and facts.json", () => {
    // In the words `netlab check` prints: specs whose expectations held, not labs whose claims passed.
    const summary = readFileSync(join(reports, "summary.md"), "utf8");
    expect(summary).toMatch(/^# netlab: ✓ 41 held, 0 did not hold in 1 spec\(s\), /);
    expect(summary).toContain("| | expectation | observed | time |");
    const junit = readFileSync(join(reports, "junit.xml"), "utf8");
    const names = [...junit.matchAll(/<testcase name="([^"]*)"/g)].map((match) =>
      match[1]!.replaceAll("&gt;", ">").replaceAll("&amp;", "&"),
    );
    expect(names).toHaveLength(41);
    expect(junit).not.toContain("<failure");
    // A testcase is named `id` or `id: name`, in the spec's order.
    names.forEach((name, index) =>
      expect(
        name === SHOP_IDS[index] || name.startsWith(`${SHOP_IDS[index]}: `),
        `${name} for ${SHOP_IDS[index]}`,
      ).toBe(true),
    );
    const facts = JSON.parse(readFileSync(join(reports, "facts.json"), "utf8")) as {
      run: { state: string };
      labs: { checks: { claim: string; state: string }[] }[];
    };
    expect(facts.run.state).toBe("passed");
    expect(facts.labs[0]!.checks.map((check) => check.claim)).toEqual(SHOP_IDS);
    expect(existsSync(join(reports, "allure-results"))).toBe(true);
  });

  it("records the engine it ran on, gives Jenkins one class per spec, and draws what it saw", async () => {
    const facts = JSON.parse(readFileSync(join(reports, "facts.json"), "utf8")) as {
      run: { engine: { serverVersion?: string; bridge?: { name?: string } } };
    };
    expect(facts.run.engine.serverVersion).toBe((await docker.version()).Version);
    expect(facts.run.engine.bridge?.name).toBeTruthy();
    // Jenkins cuts a classname at its last dot: the spec's path keeps none; file= keeps the path as it is.
    const junit = readFileSync(join(reports, "junit.xml"), "utf8");
    const classnames = new Set([...junit.matchAll(/classname="([^"]*)"/g)].map((match) => match[1]));
    expect([...classnames]).toEqual(["check examples/shop/netlab_yaml"]);
    expect(junit).toContain('file="examples/shop/netlab.yaml"');
    const [picture] = readdirSync(join(reports, "topology")).filter((file) => file.endsWith(".dot"));
    const dot = readFileSync(join(reports, "topology", picture!), "utf8");
    expect(dot).not.toContain("not observed");
    // data is --internal: Docker 20.10 gives its members a gateway, 26 none (no way out, no default route).
    expect(dot).toMatch(/label="network \S+_data(\\ngateway [\d.]+)?"/);
    expect(dot).toMatch(/\[label=":5432 connected \(api-db\)[\\n"]/);
  });

  it("leaves nothing behind: no container or network of the project, no container of netlab's", async () => {
    expect(await remains({ project, pid: run.pid, runId: runIdOf(reports) })).toEqual(NOTHING_LEFT);
  });
});

/** One mutated shop, checked with --up --json; the result is read by the tests of its describe. */
function mutatedShop(tag: string, mutate: (compose: Compose, port: number) => Compose) {
  const project = uniqueName(tag);
  const reports = scratchDir(`${tag}-reports`);
  const state: { run?: Run; port?: number; dir?: string } = {};
  let decided: Map<string, JsonExpectation> | undefined;
  /** The run's expectations by id (parsed on first use, so a run that printed no JSON fails each test with its stderr). */
  const byId = (): Map<string, JsonExpectation> => {
    decided ??= new Map(
      parseJson(state.run!).specs[0]!.expectations.map((expectation) => [expectation.id, expectation]),
    );
    return decided;
  };

  beforeAll(async () => {
    const port = await freeHostPort();
    const { dir, spec } = writeShop(mutate(onHostPort(shopCompose(), port), port), port, tag);
    const run = await runNetlab(["check", spec, "--up", "--json", "--project", project, "--reports-dir", reports]);
    Object.assign(state, { run, port, dir });
  });

  afterAll(async () => {
    await removeProject(project);
    rmSync(reports, { recursive: true, force: true });
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });

  return {
    state,
    byId,
    failed: () =>
      [...byId().values()]
        .filter((expectation) => !expectation.held)
        .map((expectation) => expectation.id)
        .sort(),
    /** Every expectation that did not hold, with what was seen (the message of a set that differs). */
    seen: () =>
      [...byId().values()]
        .filter((expectation) => !expectation.held)
        .map((expectation) => `${expectation.id}: ${expectation.observed} (${expectation.detail})`)
        .join("\n"),
    hint: (id: string) => byId().get(id)?.hint ?? `(no hint for ${id})`,
    leavesNothing: () =>
      it("exits 1 and leaves nothing of the project behind", async () => {
        expect(state.run!.exitCode, String(state.run!.stderr)).toBe(1);
        expect(byId().size).toBe(41);
        expect(await remains({ project, pid: state.run!.pid, runId: runIdOf(reports) })).toEqual(NOTHING_LEFT);
      }),
  };
}

describe.concurrent(
  "the shop's spec on a copy of the stack with edge on another free host port: every expectation, as JSON (--json)",
  () => {
    const shop = mutatedShop("json", (compose) => compose);

    it("prints parseable JSON on stdout (progress on stderr) with every expectation: id, held, observed", () => {
      const parsed = parseJson(shop.state.run!);
      expect(shop.state.run!.exitCode, String(shop.state.run!.stderr)).toBe(0);
      expect(parsed.specs).toHaveLength(1);
      expect(parsed.specs[0]!.held).toBe(true);
      const listed = parsed.specs[0]!.expectations;
      expect(listed.map((expectation) => expectation.id)).toEqual(SHOP_IDS);
      for (const expectation of listed) {
        expect(expectation.held, expectation.id).toBe(true);
        expect(typeof expectation.observed).toBe("string");
        expect(expectation.observed.length, expectation.id).toBeGreaterThan(0);
      }
      expect(shop.byId().get("host-edge")).toMatchObject({ to: `host:${shop.state.port}`, observed: "connected" });
      expect(shop.byId().get("outside-edge")).toMatchObject({ observed: "refused" });
      expect(String(shop.state.run!.stderr)).toMatch(/netlab check: ✓ 41 held, 0 did not hold/);
    });

    it("says `no way out` as the user means it: no path, however the engine says so", () => {
      // Docker 20.10 drops what leaves an internal network (timed out); 26 gives it no route (unreachable).
      for (const id of ["db-out", "worker-out", "edge-db", "db-web"]) {
        const decided = shop.byId().get(id)!;
        expect(decided.expected, id).toBe("reach no");
        expect(["timed-out", "unreachable"], `${id}: ${decided.observed}`).toContain(decided.observed);
      }
    });

    it("outside-edge's see-it command works pasted after the check: refused, and connected where a port is open to all", async () => {
      const command = shop.byId().get("outside-edge")!.command!;
      const port = shop.state.port!;
      expect(command).toContain(` ${port} -e true`);
      const pasted = await execa("sh", ["-c", command], { reject: false, all: true });
      expect(pasted.exitCode, String(pasted.all)).toBe(1);
      expect(String(pasted.all)).toContain("Connection refused");
      // Control: the same command to a port the host listens on at every address connects from the outside.
      const server = createServer((socket) => socket.end());
      await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
      try {
        const open = (server.address() as { port: number }).port;
        const reached = await execa("sh", ["-c", command.replace(` ${port} -e true`, ` ${open} -e true`)], {
          reject: false,
          all: true,
        });
        expect(reached.exitCode, String(reached.all)).toBe(0);
      } finally {
        server.close();
      }
    });
  },
);

describe.concurrent("mutation 1: db moved onto `back` instead of `data`", () => {
  const shop = mutatedShop("moved", (compose) => movedOnto(compose, "db", ["back"]));
  // db now shares `back` with web and api and nothing with worker and cache; `back` is not internal.
  const EXPECTED: Record<string, string> = {
    "web-db": "web and db share network(s)", // web reaches db on back: connected, not timed-out
    "db-web": "db and web share network(s)",
    "db does not resolve web": "db and web share one", // both on back: Docker's DNS answers
    "db-out": "which is not internal", // back has a way out
    "tiers/web → db:5432 not reachable": "web and db share network(s)",
    "tiers/db → web:8080 not reachable": "db and web share network(s)",
    "tiers/worker → db:5432 reachable": "worker and db share no network", // worker is on data only
    "tiers/db → cache:6379 reachable": "db and cache share no network",
  };

  it("fails exactly the expectations about db's neighbours and its way out", () => {
    expect(shop.failed(), shop.seen()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s carries the hint: %s", (id, hint) => {
    expect(shop.hint(id)).toContain(hint);
  });

  shop.leavesNothing();
});

describe.concurrent("mutation 2: `internal: true` removed from `data`", () => {
  const shop = mutatedShop("open", (compose) => notInternal(compose, "data"));
  // Only the way out changes: between two user-defined bridges Docker still drops (DOCKER-ISOLATION).
  const EXPECTED: Record<string, string> = {
    "db-out": "db is on network(s)",
    "worker-out": "worker is on network(s)",
  };

  it("fails exactly the two expectations that nothing on data gets out", () => {
    expect(shop.failed(), shop.seen()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s carries the hint: %s … not internal", (id, hint) => {
    expect(shop.hint(id)).toContain(hint);
    expect(shop.hint(id)).toContain("which is not internal");
  });

  shop.leavesNothing();
});

describe.concurrent("mutation 3: edge published on all addresses (PORT:80, not 127.0.0.1:PORT:80)", () => {
  const shop = mutatedShop("everywhere", (compose) => publishedEverywhere(compose, "edge"));

  it("fails exactly outside-edge (the outside now connects) and edge-publishes (the set changed)", () => {
    expect(shop.failed(), shop.seen()).toEqual(["edge-publishes", "outside-edge"]);
    expect(shop.byId().get("outside-edge")!.observed).toBe("connected");
  });

  it("outside-edge carries the hint: published on all addresses", () => {
    expect(shop.hint("outside-edge")).toContain(`port ${shop.state.port} is published on all addresses by edge`);
  });

  it("edge-publishes carries the hint: what the engine shows (the IPv4 and IPv6 twins)", () => {
    const port = shop.state.port;
    expect(shop.hint("edge-publishes")).toContain(`the engine shows 0.0.0.0:${port}->80/tcp, [::]:${port}->80/tcp`);
  });

  shop.leavesNothing();
});

describe.concurrent("mutation 4: cache in network_mode: none", () => {
  const shop = mutatedShop("none", (compose) => networkNone(compose, "cache"));
  // Nothing can reach cache: every expectation into it is unreachable (decided without a probe). The `n`
  // cells into cache (edge, web) still hold; every `y` and the exact `refused` fail.
  const EXPECTED = [
    "cache-wrong-port",
    "tiers/api → cache:6379 reachable",
    "tiers/db → cache:6379 reachable",
    "tiers/worker → cache:6379 reachable",
    "worker-cache",
  ];

  it("fails exactly the expectations that something reaches cache", () => {
    expect(shop.failed(), shop.seen()).toEqual(EXPECTED.sort());
    for (const id of EXPECTED) expect(shop.byId().get(id)!.observed, id).toBe("unreachable");
  });

  it.each(EXPECTED.filter((id) => id !== "cache-wrong-port"))("%s carries the hint: --network none", (id) => {
    expect(shop.hint(id)).toContain("cache runs with --network none: nothing can reach it");
  });

  // An exact outcome (refused) that is not seen still gets the hint that explains it.
  it("cache-wrong-port (outcome refused) carries the hint: --network none", () => {
    expect(shop.hint("cache-wrong-port")).toContain("--network none");
  });

  shop.leavesNothing();
});
