import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { missingTools, requireTools } from "./packet-capture.js";

describe("the tools a capture needs", () => {
  const bin = mkdtempSync(join(tmpdir(), "netlab-tools-"));
  writeFileSync(join(bin, "tcpdump"), "#!/bin/sh\n");
  chmodSync(join(bin, "tcpdump"), 0o755);
  // Present but not executable: not a tool.
  writeFileSync(join(bin, "ip"), "");

  it("finds an executable on the path, and names what is missing", () => {
    expect(missingTools(["tcpdump", "ip", "iptables"], bin)).toEqual(["ip", "iptables"]);
    expect(missingTools(["tcpdump"], bin)).toEqual([]);
  });

  it("a missing tool is one line naming it and how to install it, and nothing when all are there", () => {
    expect(() => requireTools("the uplink watch", ["tcpdump", "iptables"], join(bin, "nothing-here"))).toThrow(
      'the uplink watch needs tcpdump, iptables, not installed on this machine: install with "npm run provision" (or "sudo apt-get install tcpdump iptables")',
    );
    expect(() => requireTools("the uplink watch", ["tcpdump"], bin)).not.toThrow();
  });
});
