import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostSite, type ProbeSite } from "../runtime/site.js";
import { batchScript, parseBatch, parseView, runBatch } from "./probe-batch.js";

/** What busybox nslookup printed in netlab/probe for a name Docker's DNS knows (recorded on 20.10.24; tabs kept). */
const NSLOOKUP_FOUND =
  "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n\nNon-authoritative answer:\nName:\tnlt-ns-peer\nAddress: 172.20.0.2\n\n";
const NSLOOKUP_NXDOMAIN =
  "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nope.invalid: NXDOMAIN\n\n";
const NSLOOKUP_NO_SERVER = ";; connection timed out; no servers could be reached\n\n";

/**
 * A site that runs runBatch's real script with the host's sh, each nslookup replaced by printing a recorded
 * answer (and exiting as nslookup did): the flattening is the script's own, nothing touches a network.
 */
function recordedDnsSite(answers: Record<string, { text: string; exitCode: number }>): ProbeSite {
  return {
    name: "recorded",
    async run(argv) {
      const script = argv[2]!.replace(/timeout \d+ nslookup (\S+)/g, (_, name: string) => {
        const answer = answers[name]!;
        return `sh -c 'printf "%s" "$0"; exit ${answer.exitCode}' '${answer.text.replaceAll("'", "'\\''")}'`;
      });
      const output = await execa("sh", ["-c", script], { reject: false });
      return { exitCode: output.exitCode ?? -1, stdout: String(output.stdout), stderr: String(output.stderr) };
    },
    describe: (argv) => argv.join(" "),
  };
}

describe("batchScript and parseBatch: one exec per batch, one line per item", () => {
  it("starts every item in the background and waits for all of them", () => {
    const script = batchScript(
      [
        { kind: "tcp", address: "10.0.0.2", port: 80 },
        { kind: "dns", name: "api" },
      ],
      3000,
    ).split("\n");
    expect(script).toContain("p 0 timeout 3 nc -w 3 10.0.0.2 80 -e true &");
    expect(script).toContain("p 1 timeout 3 nslookup api &");
    expect(batchScript([{ kind: "udp", address: "fd00:5::2", port: 53 }], 3000).split("\n")).toContain(
      "p 0 timeout 3 nslookup udp-probe.netlab.invalid '[fd00:5::2]:53' &",
    );
    expect(script.at(-1)).toBe("wait");
  });

  it("reads each item's exit code and words back, in any order the lines arrive", () => {
    const outputs = parseBatch("@@1 1 nc: can't connect to remote host (10.0.0.3): Connection refused\n@@0 0\n", 2);
    expect(outputs[0]).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(outputs[1]).toMatchObject({
      exitCode: 1,
      stdout: "nc: can't connect to remote host (10.0.0.3): Connection refused",
    });
  });

  it("reads each item's own time from the /proc/uptime readings around it (10 ms steps), absent when unread", () => {
    const outputs = parseBatch("@@0 0 t=20366.58,20366.61\n@@1 1 t=20366.58,20369.60 nc: timed out\n@@2 0 t=-,-\n", 3);
    expect(outputs[0]).toMatchObject({ exitCode: 0, stdout: "", durationMs: 30 });
    expect(outputs[1]).toMatchObject({ exitCode: 1, stdout: "nc: timed out", durationMs: 3020 });
    expect(outputs[2]?.durationMs).toBeUndefined();
  });

  it("reads the site's IPv4 and global IPv6 addresses (measured in a container on a network made with --ipv6)", () => {
    const line =
      "@@addr 1: lo inet 127.0.0.1/8 scope host lo\\ valid_lft forever preferred_lft forever;12502: eth0 inet 172.23.0.2/16 brd 172.23.255.255 scope global eth0\\ valid_lft forever preferred_lft forever;12502: eth0 inet6 fd00:23:77::2/64 scope global flags 02 \\ valid_lft forever preferred_lft forever;";
    expect(parseView(`${line}\n`).addresses).toEqual(["lo 127.0.0.1/8", "eth0 172.23.0.2/16", "eth0 fd00:23:77::2/64"]);
  });

  it("counts an item whose line is missing as failed, and ignores lines that are not results", () => {
    const outputs = parseBatch("Terminated\n@@0 0\n@@7 0 from another batch\n", 3);
    expect(outputs[0]?.exitCode).toBe(0);
    expect(outputs[1]).toEqual({ exitCode: -1, stdout: "", stderr: "no result from the probe" });
    expect(outputs[2]).toEqual({ exitCode: -1, stdout: "", stderr: "no result from the probe" });
  });

  it("runBatch turns a missing line into a failed probe, never a held one", async () => {
    const site: ProbeSite = {
      name: "web",
      run: async () => ({ exitCode: 0, stdout: "@@0 0\n", stderr: "" }),
      describe: (argv) => argv.join(" "),
    };
    const {
      results: [first, second],
    } = await runBatch(
      site,
      [
        { kind: "tcp", address: "10.0.0.2", port: 80 },
        { kind: "tcp", address: "10.0.0.3", port: 80 },
      ],
      3000,
    );
    expect(first?.outcome).toBe("connected");
    expect(second).toMatchObject({ outcome: "failed", target: "10.0.0.3:80", detail: "no result from the probe" });
  });
});

describe("runBatch reads nslookup's answer back after the script flattened it to one line", () => {
  const site = recordedDnsSite({
    peer: { text: NSLOOKUP_FOUND, exitCode: 0 },
    "nope.invalid": { text: NSLOOKUP_NXDOMAIN, exitCode: 1 },
    lost: { text: NSLOOKUP_NO_SERVER, exitCode: 1 },
  });

  it("keeps the answer's address, not the server's", async () => {
    const {
      results: [found],
    } = await runBatch(site, [{ kind: "dns", name: "peer" }], 3000);
    expect(found).toMatchObject({ probe: "dns", outcome: "resolved", addresses: ["172.20.0.2"], target: "peer" });
  });

  it("tells a name that does not exist from a resolver that does not answer", async () => {
    const {
      results: [missing, lost],
    } = await runBatch(
      site,
      [
        { kind: "dns", name: "nope.invalid" },
        { kind: "dns", name: "lost" },
      ],
      3000,
    );
    expect(missing).toMatchObject({ outcome: "not-found", addresses: [] });
    expect(missing?.detail).toContain("NXDOMAIN");
    expect(lost).toMatchObject({ outcome: "timed-out" });
  });

  it("gives every result the command a user pastes to see it", async () => {
    const {
      results: [found],
    } = await runBatch(site, [{ kind: "dns", name: "peer" }], 3000);
    expect(found?.command).toBe("timeout 3 nslookup peer");
  });
});

describe("runBatch on the host's loopback (busybox nc, no engine)", () => {
  let server: Server;
  let holding: Server;
  let open: number;
  let held: number;
  const heldSockets: Socket[] = [];
  let closed: number;

  beforeAll(async () => {
    const hasBusybox = await execa("busybox", ["true"], { reject: false });
    if (hasBusybox.exitCode !== 0)
      throw new Error("busybox is not installed on the host; netlab's host probes need it");
    server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    open = (server.address() as { port: number }).port;
    // A server that keeps every connection open and says nothing, even after the probe's side is closed.
    holding = createServer({ allowHalfOpen: true }, (socket) => {
      socket.on("error", () => {});
      heldSockets.push(socket);
    });
    await new Promise<void>((resolve) => holding.listen(0, "127.0.0.1", resolve));
    held = (holding.address() as { port: number }).port;
    // A port that was free a moment ago: bound and closed again, so nothing listens there.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    closed = (spare.address() as { port: number }).port;
    await new Promise((resolve) => spare.close(resolve));
  });

  afterAll(async () => {
    for (const socket of heldSockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => holding.close(resolve));
  });

  it("decides a connect and a refusal in one exec, each with its own outcome", async () => {
    const {
      results: [reached, refused],
    } = await runBatch(
      hostSite(),
      [
        { kind: "tcp", address: "127.0.0.1", port: open },
        { kind: "tcp", address: "127.0.0.1", port: closed },
      ],
      3000,
    );
    expect(reached).toMatchObject({ outcome: "connected", target: `127.0.0.1:${open}`, from: "host" });
    expect(refused).toMatchObject({ outcome: "refused", target: `127.0.0.1:${closed}` });
    expect(refused?.detail).toMatch(/Connection refused/);
  });

  it("times each probe on its own: a quick refusal is not charged the slow probe's wait", async () => {
    const {
      results: [refused, waiting],
    } = await runBatch(
      hostSite(),
      [
        { kind: "tcp", address: "127.0.0.1", port: closed },
        { kind: "tcp", address: "127.0.0.1", port: held, greeting: true },
      ],
      2000,
    );
    expect(waiting).toMatchObject({ outcome: "timed-out" });
    expect(waiting!.durationMs).toBeGreaterThanOrEqual(1000);
    expect(refused!.durationMs).toBeLessThan(waiting!.durationMs);
  });

  it("decides a connect when connected, whatever the server does next; a probe that reads waits for it", async () => {
    const {
      results: [connected, waiting],
    } = await runBatch(
      hostSite(),
      [
        { kind: "tcp", address: "127.0.0.1", port: held },
        { kind: "tcp", address: "127.0.0.1", port: held, greeting: true },
      ],
      1000,
    );
    expect(connected).toMatchObject({ outcome: "connected", target: `127.0.0.1:${held}` });
    expect(waiting).toMatchObject({ outcome: "timed-out" });
  });
});

describe("runBatch over UDP on the host's loopback (busybox nslookup as the datagram client, no engine)", () => {
  let echo: UdpSocket;
  let silent: UdpSocket;
  let echoPort: number;
  let silentPort: number;
  let closedPort: number;

  const bound = async (reply: boolean): Promise<UdpSocket> => {
    const socket = createSocket("udp4");
    socket.on("message", (message, peer) => {
      if (reply) socket.send(message, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return socket;
  };

  beforeAll(async () => {
    echo = await bound(true);
    silent = await bound(false);
    echoPort = echo.address().port;
    silentPort = silent.address().port;
    // A port that was bound a moment ago and closed again: the kernel answers ICMP port unreachable.
    const spare = await bound(false);
    closedPort = spare.address().port;
    await new Promise<void>((resolve) => spare.close(resolve));
  });

  afterAll(() => {
    echo.close();
    silent.close();
  });

  it("an echo's reply is connected, a closed port refused, a silent one timed out: three verdicts", async () => {
    const { results } = await runBatch(
      hostSite(),
      [
        { kind: "udp", address: "127.0.0.1", port: echoPort },
        { kind: "udp", address: "127.0.0.1", port: closedPort },
        { kind: "udp", address: "127.0.0.1", port: silentPort },
      ],
      2000,
    );
    expect(results.map((result) => result.outcome)).toEqual(["connected", "refused", "timed-out"]);
    expect(results[0]).toMatchObject({ probe: "udp", target: `127.0.0.1:${echoPort}/udp` });
    expect(results[0]?.detail).toMatch(/^reply: /);
    expect(results[1]?.detail).toMatch(/ICMP port unreachable/);
    expect(results[2]?.detail).toBe("no reply: open but silent, or dropped");
  });
});
