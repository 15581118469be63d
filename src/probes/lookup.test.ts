import { describe, expect, it } from "vitest";
import { hostsAddresses, parseHostsFile } from "./hosts-file.js";
import { lookupArgv, lookupResult, resolverFilesResult, splitResolverFiles } from "./lookup.js";
import { parseResolvConf } from "./resolv-conf.js";
import { probeArgv, ProbeInputError } from "./probe-commands.js";

const frame = { from: "web", durationMs: 5, command: "see it" };
const run = (exitCode: number, stdout: string) => ({ exitCode, stdout, stderr: "" });

// As Docker 20.10 writes it for `--add-host db.local:10.9.9.9 --link h1-db:database`.
const HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
# a comment naming database 10.0.0.1
10.9.9.9\tdb.local
172.17.0.2\tdatabase 2899e70d3c55 h1-db
172.17.0.9\tDataBase # a second line for the same name
not-an-address\tdatabase
`;

describe("/etc/hosts", () => {
  it("gives every address a name has, in file order, without case, comments skipped", () => {
    const entries = parseHostsFile(HOSTS);
    expect(hostsAddresses(entries, "database")).toEqual(["172.17.0.2", "172.17.0.9"]);
    expect(hostsAddresses(entries, "DB.LOCAL")).toEqual(["10.9.9.9"]);
    expect(hostsAddresses(entries, "localhost")).toEqual(["127.0.0.1", "::1"]);
    expect(hostsAddresses(entries, "db")).toEqual([]);
  });

  it("reads lines joined with ; as a batch gives them", () => {
    expect(hostsAddresses(parseHostsFile(HOSTS.replaceAll("\n", ";").replaceAll("\t", " ")), "database")).toEqual([
      "172.17.0.2",
      "172.17.0.9",
    ]);
  });
});

describe("/etc/resolv.conf", () => {
  it("reads nameservers, search and options", () => {
    const text =
      "# Generated\nsearch corp.example lab\nnameserver 127.0.0.11\noptions ndots:2 timeout:1\noptions edns0\n";
    expect(parseResolvConf(text)).toEqual({
      nameservers: ["127.0.0.11"],
      search: ["corp.example", "lab"],
      options: ["ndots:2", "timeout:1", "edns0"],
    });
  });

  it("reads the servers the embedded DNS forwards to when the engine wrote them (engines 25+)", () => {
    const text =
      "nameserver 127.0.0.11;options ndots:0;;# Based on host file: '/etc/resolv.conf' (internal resolver);# ExtServers: [host(192.168.65.7) 10.0.0.53];# Overrides: [nameservers];";
    expect(parseResolvConf(text)).toMatchObject({
      nameservers: ["127.0.0.11"],
      extServers: ["192.168.65.7", "10.0.0.53"],
    });
  });
});

describe("a lookup as programs make it", () => {
  it("asks /etc/hosts first and DNS only when the name is not there", () => {
    const [shell, flag, script] = lookupArgv("db.local", "3");
    expect([shell, flag]).toEqual(["sh", "-c"]);
    expect(script).toContain("grep -qiE '^[^#]*[[:space:]]db\\.local([[:space:]]|$)' /etc/hosts");
    expect(script).toContain("grep -iE '^[^#]*[[:space:]]db\\.local([[:space:]]|$)' /etc/hosts | tr '\\n' ';'; exit 0; fi");
    // One dot, ndots 1 by default: the name itself first, absolute, then each search domain.
    expect(script).toContain('if [ 1 -ge "$n" ]; then c="db.local. $c"; else c="$c db.local."; fi');
    expect(script).toContain("r=$(timeout 3 nslookup $q 2>&1)");
  });

  it("refuses a name a shell would read", () => {
    expect(() => probeArgv({ kind: "lookup", name: "db;reboot" }, 3000)).toThrow(ProbeInputError);
    expect(probeArgv({ kind: "lookup", name: "db" }, 2500)[2]).toContain("timeout 3 nslookup $q");
  });

  it("says /etc/hosts answered", () => {
    const result = lookupResult("database", run(0, "hosts-file;172.17.0.2 database 2899e70d3c55 h1-db;"), frame);
    expect(result).toMatchObject({
      outcome: "resolved",
      addresses: ["172.17.0.2"],
      detail: "172.17.0.2 from /etc/hosts",
    });
  });

  it("says which DNS server answered, IPv6 answers too", () => {
    const stdout =
      "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tapi\nAddress: 172.18.0.2\nName:\tapi\nAddress: 172.18.0.3\nName:\tapi\nAddress: fd00:1::3\n";
    expect(lookupResult("api", run(0, stdout), frame)).toMatchObject({
      outcome: "resolved",
      addresses: ["172.18.0.2", "172.18.0.3", "fd00:1::3"],
      detail: "172.18.0.2, 172.18.0.3, fd00:1::3 from DNS (127.0.0.11)",
    });
  });

  it("keeps the cause when DNS cannot answer, naming the server it asked", () => {
    const nx = "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nope: NXDOMAIN\n";
    expect(lookupResult("nope", run(1, nx), frame)).toMatchObject({
      outcome: "not-found",
      detail: "** server can't find nope: NXDOMAIN (asked DNS (127.0.0.11); not in /etc/hosts)",
    });
    const refused =
      "nslookup: write to '127.0.0.1': Connection refused\n;; connection timed out; no servers could be reached";
    expect(lookupResult("db", run(1, refused), frame)).toMatchObject({ outcome: "refused" });
    expect(lookupResult("db", run(1, refused), frame).detail).toContain("(asked DNS (127.0.0.1); not in /etc/hosts)");
  });
});

describe("the resolver files", () => {
  it("splits the two files of one read", () => {
    const text = "search x;nameserver 127.0.0.1;;hosts-file;127.0.0.1 localhost;10.9.9.9 db.local;";
    expect(splitResolverFiles(text)).toEqual({
      resolvConf: "search x;nameserver 127.0.0.1;",
      hosts: "127.0.0.1 localhost;10.9.9.9 db.local;",
    });
    expect(resolverFilesResult(run(0, text), frame)).toMatchObject({ outcome: "resolved", reply: text });
    expect(resolverFilesResult(run(1, "cat: can't open '/etc/hosts'"), frame)).toMatchObject({
      outcome: "failed",
      detail: "cat: can't open '/etc/hosts'",
    });
  });
});
