import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRun, runLabels } from "../core/labels.js";
import { loadConfig } from "../lifecycle/load-config.js";
import { ensureProbeImage } from "../lifecycle/probe-image.js";
import { capturedPackets } from "../runtime/packet-capture.js";
import { startSentinel, type StartedSentinel } from "../runtime/sentinel.js";
import { blindFromOutside, describeVerdict, startUplinkWatch, type UplinkWatch } from "../runtime/uplink-watch.js";
import { publishedWatchState, UPLINK_WATCH } from "./uplink-watch-reporter.js";

/**
 * The last project of `npm test`: by now every other project (unit, labs, reports with the browser check,
 * e2e) has run under the uplink watch that UplinkWatchReporter started at the very beginning.
 */
describe("nothing netlab sent left the machine", () => {
  it("U1 the uplink watch watched the whole run, and not one packet it counts crossed the uplink", async () => {
    const state = publishedWatchState();
    expect(state, `the uplink watch did not run: npm test sets ${UPLINK_WATCH}=1 (or strict)`).toBeDefined();
    if (!state) return;
    // A capture that died saw nothing: "no packet" is said only of a watch that still runs.
    const blind = await blindFromOutside(state);
    expect(blind, describeVerdict({ state, counted: [], ignored: [], blind })).toBeUndefined();
    const counted = capturedPackets(state.file);
    expect(counted, describeVerdict({ state, counted, ignored: [] })).toEqual([]);
  });
});

/**
 * Controls for U1, with no outside address: the "uplink" is a link of the test's own, the host end of a
 * sentinel (a namespace of netlab's own, reached through the host's routing, where the engine NATs containers'
 * packets as it does on the real uplink). Each watch is shown to count what it claims and to leave out what
 * it claims to leave out.
 */
describe("controls: the uplink watch counts what it says, on a link of the test's own", () => {
  const docker = new Dockerode({ timeout: 20_000 });
  const config = loadConfig();
  const run = newRun();
  // Made when the suite runs (a run that filters its tests out collects this file but runs no hook to remove it).
  let scratch = "";
  const containers: string[] = [];
  const networks: string[] = [];
  let far: StartedSentinel;
  let image: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "netlab-uplink-control-"));
    far = await startSentinel({ runId: run.runId, pool: config.sentinelPool });
    image = (await ensureProbeImage(docker, { configured: config.image })).tag;
  });

  afterAll(async () => {
    if (containers.length > 0) await execa("docker", ["rm", "-f", ...containers], { reject: false });
    if (networks.length > 0) await execa("docker", ["network", "rm", ...networks], { reject: false });
    await far?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const labelsOf = (role: string) =>
    Object.entries(runLabels(run, { lab: "uplink", role })).flatMap(([key, value]) => ["--label", `${key}=${value}`]);

  /** A container on the default bridge (or `options`' docker run flags), netlab's (labelled) or a user's (no label). */
  async function container(
    role: string,
    netlab: boolean,
    options: string[] = [],
  ): Promise<{ name: string; address: string }> {
    const name = `netlab-${run.runId}-uplink-${role}`;
    await execa("docker", [
      "run",
      "-d",
      "--name",
      name,
      ...(netlab ? labelsOf(role) : []),
      ...options,
      image,
      "sleep",
      "300",
    ]);
    containers.push(name);
    const address = String(
      (await execa("docker", ["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name]))
        .stdout,
    ).trim();
    return { name, address };
  }

  /** One TCP connection to the far side's server from a container (through the host's forwarding and NAT). */
  async function connectFrom(name: string): Promise<void> {
    await execa("docker", ["exec", name, "timeout", "5", "nc", far.info.address, String(far.info.tcpPort)], {
      input: "",
      reject: false,
    });
  }

  /** One TCP connection to the far side's server from the host's own stack (this process). */
  function connectFromHost(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(far.info.tcpPort, far.info.address, () => socket.end());
      // Read the server's line, so the stream ends and closes.
      socket.resume();
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
  }

  const from = (address: string) =>
    new RegExp(
      `IP ${address.replaceAll(".", "\\.")}\\.\\d+ > ${far.info.address.replaceAll(".", "\\.")}\\.${far.info.tcpPort}:`,
    );

  it("U2 the host's own traffic: strict counts it, the netlab watch does not; a netlab container's packet, NATed out: the netlab watch counts it and names the container; a user's container: seen, not counted", async () => {
    const dev = far.info.hostInterface;
    const [netlabContainer, usersContainer] = [await container("netlab", true), await container("users", false)];
    const strict = await startUplinkWatch({ mode: "strict", dev, file: join(scratch, "strict.txt") });
    const ours = await startUplinkWatch({
      mode: "netlab",
      dev,
      file: join(scratch, "netlab.txt"),
      docker,
      pools: { NETLAB_SENTINEL_POOL: config.sentinelPool, NETLAB_LAB_POOL: config.labPool },
    });
    try {
      await connectFromHost();
      await connectFrom(usersContainer.name);
      await connectFrom(netlabContainer.name);
      // On the link the containers' packets carry the host's address (the engine NATs them): only a look before NAT tells them apart.
      await expect
        .poll(() => strict.counted().some((line) => from(far.info.hostAddress).test(line)), { timeout: 10_000 })
        .toBe(true);
      await expect
        .poll(() => ours.counted().some((line) => from(netlabContainer.address).test(line)), { timeout: 10_000 })
        .toBe(true);
      const counted = ours.counted();
      expect(counted.find((line) => from(netlabContainer.address).test(line))).toContain(
        `from container ${netlabContainer.name} (netlab's)`,
      );
      // The log is one queue in the order packets left: with netlab's packet in, the host's and the user's,
      // sent before it, have been seen and judged.
      expect(
        counted.filter((line) => from(far.info.hostAddress).test(line) || from(usersContainer.address).test(line)),
        counted.join("\n"),
      ).toEqual([]);
      expect(ours.ignored().find((line) => from(usersContainer.address).test(line))).toContain(
        `from container ${usersContainer.name} (not netlab's)`,
      );
    } finally {
      const verdicts = [await strict.stop(), await ours.stop()];
      for (const verdict of verdicts) expect(verdict.blind, describeVerdict(verdict)).toBeUndefined();
    }
  });

  it("U3 a lookup a netlab container's embedded DNS sends on to a resolver beyond the uplink: counted, naming the container", async () => {
    const network = `netlab-${run.runId}-uplink-dns`;
    await execa("docker", ["network", "create", ...labelsOf("dns"), network]);
    networks.push(network);
    // On a network of its own the container asks the engine's resolver (127.0.0.11), which forwards names it
    // does not know to the configured server: here the far side's DNS server, across the "uplink".
    const asker = await container("dns", true, ["--network", network, "--dns", far.info.address]);
    const ours = await startUplinkWatch({
      mode: "netlab",
      dev: far.info.hostInterface,
      file: join(scratch, "dns.txt"),
      docker,
      pools: {},
    });
    try {
      const lookup = await execa("docker", ["exec", asker.name, "timeout", "5", "nslookup", far.info.dnsName], {
        reject: false,
      });
      expect(String(lookup.stdout), "the far side answered the lookup, so it did cross").toContain(far.info.address);
      const query = new RegExp(
        `IP ${asker.address.replaceAll(".", "\\.")}\\.\\d+ > ${far.info.address.replaceAll(".", "\\.")}\\.53: UDP`,
      );
      await expect
        .poll(() => ours.counted().find((line) => query.test(line)), { timeout: 10_000 })
        .toContain(`from container ${asker.name} (netlab's)`);
    } finally {
      const verdict = await ours.stop();
      expect(verdict.blind, describeVerdict(verdict)).toBeUndefined();
    }
  });

  it("U4 a watch whose capture is killed half a second after it started says it was blind, naming the capture, in its process and in another", async () => {
    const dev = far.info.hostInterface;
    for (const mode of ["strict", "netlab"] as const) {
      const watch: UplinkWatch = await startUplinkWatch({
        mode,
        dev,
        file: join(scratch, `killed-${mode}.txt`),
        docker,
        pools: {},
      });
      try {
        expect(await blindFromOutside(watch.state)).toBeUndefined();
        await new Promise((resolve) => setTimeout(resolve, 500));
        process.kill(watch.state.pid, "SIGKILL");
        await expect
          .poll(() => watch.blind(), { timeout: 10_000 })
          .toMatch(new RegExp(`tcpdump \\(pid ${watch.state.pid}\\) on \\S+ was killed \\(SIGKILL\\)`));
        expect(await blindFromOutside(watch.state)).toMatch(
          /its capture \(tcpdump, pid \d+, .*\) is no longer running/,
        );
      } finally {
        const verdict = await watch.stop();
        expect(describeVerdict(verdict)).toMatch(
          /^the uplink watch on \S+ was blind, so it cannot say no packet.* crossed: tcpdump \(pid \d+\)/,
        );
      }
    }
  });
});
