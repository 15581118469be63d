import { describe, expect, it } from "vitest";
import { classifyConnect, classifyDatagram, classifyLookup } from "./classify.js";

const run = (exitCode: number, stdout = "", stderr = "") => ({ exitCode, stdout, stderr });

describe("classifyConnect", () => {
  it.each([
    [run(1, "", "nc: can't connect to remote host (172.17.0.3): Connection refused"), "refused"],
    [run(1, "", "nc: can't connect to remote host (198.18.0.2): Network is unreachable"), "unreachable"],
    [run(1, "", "nc: can't connect to remote host (198.18.0.3): No route to host"), "host-unreachable"],
    // Measured: `nc fd00::9 80` in a container with --network none (no IPv6 address to send from).
    [run(1, "", "nc: can't connect to remote host: Cannot assign requested address"), "unreachable"],
    [run(1, "", "httpd: bind: Address already in use"), "address-in-use"],
    [run(0, "netlab-sentinel peer=198.18.0.1\n"), "connected"],
    [run(0), "connected"],
    [run(143), "timed-out"],
    [run(124), "timed-out"],
    [run(127, "", "sh: nc: not found"), "failed"],
  ] as const)("%j is %s", (output, outcome) => {
    expect(classifyConnect(output).outcome).toBe(outcome);
  });

  it("keeps the probe's own words as the detail", () => {
    expect(classifyConnect(run(1, "", "nc: can't connect to remote host (1.2.3.4): Connection refused\n")).detail).toBe(
      "nc: can't connect to remote host (1.2.3.4): Connection refused",
    );
  });
});

describe("classifyLookup", () => {
  it("reads the answer's addresses, not the server's", () => {
    const stdout =
      "Server:\t\t198.18.0.2\nAddress:\t198.18.0.2:53\n\nName:\tsentinel.netlab.test\nAddress: 198.18.0.2\n";
    expect(classifyLookup(run(0, stdout))).toMatchObject({ outcome: "resolved", addresses: ["198.18.0.2"] });
  });

  it.each([
    [
      run(1, "Server:\t\t198.18.0.2\nAddress:\t198.18.0.2:53\n\n** server can't find nope.test: NXDOMAIN\n"),
      "not-found",
    ],
    [run(1, "", "nslookup: can't connect to remote host (198.18.0.2): Network is unreachable"), "unreachable"],
    [run(1, ";; connection timed out; no servers could be reached\n"), "timed-out"],
    [run(143), "timed-out"],
  ] as const)("%j is %s", (output, outcome) => {
    expect(classifyLookup(output).outcome).toBe(outcome);
  });
});

// busybox 1.35 `nslookup udp-probe.netlab.invalid ADDRESS:PORT` (and with -type=a), measured against a UDP echo server, a
// silent one and a closed port on 127.0.0.1 (stdout and stderr as a batch joins them).
describe("classifyDatagram: a UDP probe's reply, ICMP port unreachable, or silence", () => {
  it.each([
    [run(0, "Server:\t\t127.0.0.1:19999\nAddress:\t127.0.0.1:19999\n\nNon-authoritative answer:\n\n"), "connected"],
    [
      run(
        1,
        "Server:\t\t10.0.0.53\nAddress:\t10.0.0.53:53\n\n** server can't find udp-probe.netlab.invalid: NXDOMAIN\n",
      ),
      "connected",
    ],
    [run(143, "", "nslookup: read: Connection refused\nnslookup: read: Connection refused\nTerminated"), "refused"],
    [
      run(
        1,
        ";; connection timed out; no servers could be reached\n",
        "nslookup: write to '127.0.0.1:19998': Connection refused",
      ),
      "refused",
    ],
    [run(143, "", "Terminated"), "timed-out"],
    [run(1, ";; connection timed out; no servers could be reached\n"), "timed-out"],
    [run(1, "", "nslookup: can't connect to remote host (10.9.0.2): Network is unreachable"), "unreachable"],
    [run(1, "", "nslookup: can't connect to remote host: Cannot assign requested address"), "unreachable"],
    [run(127, "", "sh: nslookup: not found"), "failed"],
  ] as const)("%j is %s", (output, outcome) => {
    expect(classifyDatagram(output).outcome).toBe(outcome);
  });

  it("says what came back, that a closed port answered, or that silence cannot tell open from dropped", () => {
    expect(
      classifyDatagram(
        run(0, "Server: 10.0.0.2:7 Address: 10.0.0.2:7 Non-authoritative answer: Non-authoritative answer:"),
      ).detail,
    ).toBe("reply: Non-authoritative answer:");
    expect(
      classifyDatagram(run(0, "Server:\t\t127.0.0.1:19999\nAddress:\t127.0.0.1:19999\n\nNon-authoritative answer:\n"))
        .detail,
    ).toBe("reply: Non-authoritative answer:");
    expect(
      classifyDatagram(run(143, "nslookup: read: Connection refused nslookup: read: Connection refused")).detail,
    ).toBe("closed: ICMP port unreachable (nslookup: read: Connection refused)");
    expect(classifyDatagram(run(143, "", "Terminated")).detail).toBe("no reply: open but silent, or dropped");
  });
});
