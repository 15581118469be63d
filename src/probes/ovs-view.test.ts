import { describe, expect, it } from "vitest";
import { parseFlows, parseTcpChecksumErrors } from "./ovs-view.js";

describe("parseFlows", () => {
  it("reads each flow's priority, match, actions and packet count from ovs-ofctl dump-flows", () => {
    const text = [
      "NXST_FLOW reply (xid=0x4):",
      " cookie=0x0, duration=1.077s, table=0, n_packets=10, n_bytes=758, idle_age=1, priority=100,icmp,nw_dst=10.215.0.12 actions=drop",
      " cookie=0x0, duration=1.179s, table=0, n_packets=19, n_bytes=1820, idle_age=0, priority=0 actions=NORMAL",
      " cookie=0x0, duration=2s, table=0, n_packets=0, n_bytes=0, in_port=1 actions=output:2",
    ].join("\n");
    expect(parseFlows(text).map(({ line: _line, ...flow }) => flow)).toEqual([
      { priority: 100, match: "icmp,nw_dst=10.215.0.12", actions: "drop", packets: 10 },
      { priority: 0, match: "", actions: "NORMAL", packets: 19 },
      { priority: 32768, match: "in_port=1", actions: "output:2", packets: 0 },
    ]);
  });
});

describe("parseTcpChecksumErrors", () => {
  it("reads Tcp InCsumErrors from /proc/net/snmp", () => {
    const snmp = [
      "Ip: Forwarding DefaultTTL",
      "Ip: 2 64",
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors",
      "Tcp: 1 200 120000 -1 0 1 0 0 0 10 3 0 5 1 5",
    ].join("\n");
    expect(parseTcpChecksumErrors(snmp)).toBe(5);
    expect(parseTcpChecksumErrors("Ip: 1\nIp: 2")).toBeUndefined();
  });
});
