import { describe, expect, it } from "vitest";
import type { Expectation } from "../core/check-file/expectations.js";
import { portsIn } from "../probes/listening-ports.js";
import { listenersProbed, waitForListeners, waitLine, type Listener } from "./wait-listeners.js";

const PROC_NET_TCP = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 00000000:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6688486 1",
  "   1: 0100007F:2328 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 1350 1",
  "   0: 00000000000000000000000000000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
].join("\n");

const source = { file: "netlab.yaml", line: 1, col: 1 };
function reach(to: string, port: number, extra: Partial<Expectation> & Record<string, unknown> = {}): Expectation {
  return {
    kind: "reach",
    id: `web → ${to}:${port}`,
    withinMs: 0,
    source,
    from: { kind: "name", name: "web" },
    to: { kind: "name", name: to, port },
    expected: { reach: true },
    ...extra,
  } as Expectation;
}

describe("what listens in a namespace, from /proc/net", () => {
  it("reads TCP ports in LISTEN only (IPv4 and IPv6), and any bound UDP port", () => {
    // 0x1538 = 5432 listening; 0x2328 = 9000 connected on IPv4 (not a listener) but listening on IPv6.
    expect([...portsIn(PROC_NET_TCP, "0A")].sort()).toEqual([5432, 9000]);
    expect([...portsIn(PROC_NET_TCP.split("\n").slice(0, 3).join("\n"), "0A")]).toEqual([5432]);
    expect([...portsIn("   5: 00000000:0035 00000000:0000 07 0 0 0")]).toEqual([53]);
    // Docker's embedded DNS listens on 127.0.0.11 inside the container: no other container can dial it.
    const dns = "   1: 0B00007F:8CA1 00000000:0000 0A 0 0 0\n   2: 00000000:0050 00000000:0000 0A 0 0 0";
    expect([...portsIn(dns, "0A")]).toEqual([36001, 80]);
    expect([...portsIn(dns, "0A", { loopback: false })]).toEqual([80]);
  });
});

describe("the ports --up waits for", () => {
  it("are every container port probed, each once, for the longest within (default otherwise)", () => {
    const listeners = listenersProbed(
      [
        reach("db", 5432),
        reach("db", 5432, { withinMs: 45_000 }),
        reach("api", 9000, { expected: { reach: false } }),
        { ...reach("dns", 53), to: { kind: "name", name: "dns", port: 53, protocol: "udp" } } as Expectation,
        // A kind added later with a target of the same shape (an HTTP GET) is waited for too.
        { ...reach("x", 1), kind: "http", to: { kind: "name", name: "web", port: 8080 } } as unknown as Expectation,
        reach("api", 1, { expected: { outcome: "refused" } }),
        { ...reach("x", 1), to: { kind: "host", port: 80 } } as Expectation,
      ],
      30_000,
    );
    expect(listeners).toEqual([
      { name: "db", port: 5432, protocol: "tcp", waitMs: 45_000 },
      { name: "api", port: 9000, protocol: "tcp", waitMs: 30_000 },
      { name: "dns", port: 53, protocol: "udp", waitMs: 30_000 },
      { name: "web", port: 8080, protocol: "tcp", waitMs: 30_000 },
    ]);
  });

  it("waits until each listens, and gives up on one that never does without failing", async () => {
    const db: Listener = { name: "db", port: 5432, protocol: "tcp", waitMs: 10_000 };
    const api: Listener = { name: "api", port: 9000, protocol: "tcp", waitMs: 30 };
    let reads = 0;
    const wait = await waitForListeners(
      [db, api],
      async (name) => {
        reads += name === "db" ? 1 : 0;
        const tcp = new Set(name === "db" && reads >= 3 ? [5432] : []);
        return { tcp, udp: new Set<number>(), tcpBeyondLoopback: tcp };
      },
      { pollMs: 10 },
    );
    expect(wait.listening).toEqual([db]);
    expect(wait.never).toEqual([api]);
    expect(reads).toBe(3);
    expect(wait.listenedAfterMs?.get(db)).toBeLessThan(wait.waitedMs + 1);
    // Each port's own wait: the 30 s spent on a port that never listened are not the one that listened's.
    const slow: Listener = { name: "slow", port: 8080, protocol: "tcp", waitMs: 30_000 };
    const never: Listener = { name: "never", port: 9999, protocol: "tcp", waitMs: 30_000 };
    expect(
      waitLine({ waitedMs: 30_100, listening: [slow], never: [never], listenedAfterMs: new Map([[slow, 6012]]) }),
    ).toBe(
      "waited 30.1 s: slow:8080 listened after 6.0 s; never:9999 never listened within 30.0 s (checked as they are)",
    );
    const udp = { ...api, protocol: "udp" as const };
    expect(
      waitLine({
        waitedMs: 2300,
        listening: [db, udp],
        never: [],
        listenedAfterMs: new Map([
          [db, 2300],
          [udp, 120],
        ]),
      }),
    ).toBe("waited 2.3 s: db:5432 listened after 2.3 s, api:9000/udp after 0.1 s");
  });

  it("lists the ports in the spec's order, however many polls apart each was seen", async () => {
    const first: Listener = { name: "slow", port: 8080, protocol: "tcp", waitMs: 10_000 };
    const second: Listener = { name: "slowbox", port: 8080, protocol: "tcp", waitMs: 10_000 };
    let polls = 0;
    const wait = await waitForListeners(
      [first, second],
      async (name) => {
        if (name === "slow") polls += 1;
        // The second name of the container is seen listening a poll before the first.
        const up = name === "slowbox" || polls >= 2;
        const tcp = new Set(up ? [8080] : []);
        return { tcp, udp: new Set<number>(), tcpBeyondLoopback: tcp };
      },
      { pollMs: 5 },
    );
    expect(wait.listening).toEqual([first, second]);
  });
});
