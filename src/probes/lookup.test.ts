import { describe, expect, it } from "vitest";
import { hostsAddresses, parseHostsFile } from "./hosts-file.js";
import { lookupArgv, lookupResult, resolverFilesResult, splitResolverFiles } from "./lookup.js";
import { parseLookupTrace } from "./lookup-trace.js";
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
    expect(script).toContain(
      "grep -iE '^[^#]*[[:space:]]db\\.local([[:space:]]|$)' /etc/hosts | tr '\\n' ';'; exit 0; fi",
    );
    // One dot, ndots 1 by default: the name itself first, absolute, then each search domain.
    expect(script).toContain('if [ 1 -ge "$n" ] || false; then t db.local.; [ $v = ok ] && exit 0; a=1; fi');
    expect(script).toContain("r=$(timeout 3 nslookup $1 2>&1)");
  });

  it("refuses a name a shell would read", () => {
    expect(() => probeArgv({ kind: "lookup", name: "db;reboot" }, 3000)).toThrow(ProbeInputError);
    expect(probeArgv({ kind: "lookup", name: "db" }, 2500)[2]).toContain("timeout 3 nslookup $1");
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

// The lookup script's lines, measured with busybox 1.35 nslookup in a container on a user network (Docker
// 20.10): its embedded DNS answered `api` itself and forwarded the search candidates to a test server of ours
// answering SERVFAIL, NXDOMAIN, no address, nothing (a time-out) or REFUSED, or to an address where nothing answers.
const CONF = "@conf ndots:2 search:corp.example servers:127.0.0.11";
const API_ANSWER =
  "@try api. 0 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;Non-authoritative answer:;Name:\tapi;Address: 172.20.0.2;;Non-authoritative answer:";
const TIMED_OUT = "@try api.corp.example. 143 ";
const NXDOMAIN = (name: string) =>
  `@try ${name} 1 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;** server can't find ${name}: NXDOMAIN;;** server can't find ${name}: NXDOMAIN`;
const NODATA = (name: string) =>
  `@try ${name} 0 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;Non-authoritative answer:;;Non-authoritative answer:`;

describe("a lookup through the search list, as glibc's res_search walks it", () => {
  const script = lookupArgv("api", "3")[2]!;

  it("tries the name as is first only with ndots dots, and still after the search list when not yet tried", () => {
    expect(script).toContain('if [ 0 -ge "$n" ] || false; then t api.; [ $v = ok ] && exit 0; a=1; fi');
    expect(script).toContain("[ $a = 1 ] || { t api.; [ $v = ok ] && exit 0; }; exit 1");
    // Not found, no address and SERVFAIL go on to the next domain; a refused connection ends it all; a time-out
    // (or REFUSED) ends the search list only.
    expect(script).toContain(
      'case $e:$r in 0:*Name:*) v=ok;; *NXDOMAIN*|*SERVFAIL*|0:*) v=next;; *"Connection refused"*) v=refused;; *) v=stop;; esac',
    );
    expect(script).toContain("case $v in ok) exit 0;; refused) exit 1;; stop) break;; esac");
    // Each candidate is bounded on its own: the lookup ends within 3 s times the candidates.
    expect(script).toContain("r=$(timeout 3 nslookup $1 2>&1)");
    // A name written absolute is asked as is only.
    expect(lookupArgv("api.", "3")[2]).toMatch(/then t api\.; .*; exit 1$/);
  });

  it("judges resolved the name glibc resolves after a search domain timed out, saying which candidate answered", () => {
    const stdout = [CONF, TIMED_OUT, API_ANSWER].join("\n");
    const result = lookupResult("api", run(0, stdout), frame);
    expect(result).toMatchObject({
      outcome: "resolved",
      addresses: ["172.20.0.2"],
      detail:
        "172.20.0.2 from DNS (127.0.0.11) as api. (after api.corp.example. (no answer in time); musl (Alpine) stops at api.corp.example.)",
    });
    // A batch joins the lines with spaces and puts nslookup's own keywords back on lines: the same result.
    const flattened = stdout.replace(/\s+/g, " ").replace(/\s+(Name:|Address(?: \d+)?:|Server:|\*\*)/g, "\n$1");
    expect(lookupResult("api", run(0, flattened), frame)).toMatchObject({
      outcome: "resolved",
      addresses: ["172.20.0.2"],
    });
  });

  it("says nothing more when the name as is answered first", () => {
    const stdout = ["@conf ndots:1 search: servers:127.0.0.11", API_ANSWER.replace("@try api.", "@try api.")];
    expect(lookupResult("api", run(0, stdout.join("\n")), frame).detail).toBe("172.20.0.2 from DNS (127.0.0.11)");
  });

  it("names a search domain's answer; domains that do not know the name go unsaid, others not", () => {
    const answer =
      "@try db.corp.example. 0 Server: 127.0.0.11;Non-authoritative answer:;Name: db.corp.example;Address: 10.33.0.7";
    const result = lookupResult("db", run(0, [CONF, answer].join("\n")), frame);
    expect(result.detail).toBe("10.33.0.7 from DNS (127.0.0.11) as db.corp.example.");
    const after = lookupResult(
      "db",
      run(0, [CONF.replace("corp.example", "nx.example,corp.example"), NXDOMAIN("db.nx.example."), answer].join("\n")),
      frame,
    );
    expect(after.detail).toBe("10.33.0.7 from DNS (127.0.0.11) as db.corp.example.");
    expect(
      lookupResult("api", run(0, [CONF, NXDOMAIN("api.corp.example."), API_ANSWER].join("\n")), frame).detail,
    ).toBe("172.20.0.2 from DNS (127.0.0.11)");
    // No address (NODATA) ends musl's lookup as a time-out does: said.
    expect(lookupResult("api", run(0, [CONF, NODATA("api.corp.example."), API_ANSWER].join("\n")), frame).detail).toBe(
      "172.20.0.2 from DNS (127.0.0.11) as api. (after api.corp.example. (no address); musl (Alpine) stops at api.corp.example.)",
    );
  });

  it("reports the name as is when nothing answered: not found after a search domain's time-out", () => {
    const stdout = [CONF, TIMED_OUT.replace(/api/g, "nope"), NODATA("nope.")].join("\n");
    const result = lookupResult("nope", run(1, stdout), frame);
    expect(result).toMatchObject({
      outcome: "not-found",
      addresses: [],
      detail:
        "nope. no address (asked DNS (127.0.0.11) for nope.corp.example. (no answer in time), then nope. (no address); not in /etc/hosts)",
    });
    const trace = parseLookupTrace(result.reply ?? "");
    expect(trace).toMatchObject({ ndots: "2", search: ["corp.example"], servers: ["127.0.0.11"] });
    expect(trace?.candidates.map((candidate) => [candidate.name, candidate.outcome, candidate.words])).toEqual([
      ["nope.corp.example.", "timed-out", "no answer before the probe's deadline"],
      ["nope.", "not-found", "Non-authoritative answer: with no address"],
    ]);
  });

  it("reads each answer a candidate can get", () => {
    const lines = [
      "@conf ndots:2 search:sf.example,nx.example,nodata.example,slow.example servers:127.0.0.11",
      "@try api.sf.example. 1 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;** server can't find api.sf.example.: SERVFAIL;;** server can't find api.sf.example.: SERVFAIL",
      NXDOMAIN("api.nx.example."),
      NODATA("api.nodata.example."),
      "@try api.slow.example. 143 ",
      "@try api. 1 Server:\t\t127.0.0.11;Address:\t127.0.0.11:53;;** server can't find api.: REFUSED;;** server can't find api.: REFUSED",
    ];
    const trace = parseLookupTrace(lines.join("\n"));
    expect(trace?.candidates.map((candidate) => [candidate.outcome, candidate.short])).toEqual([
      ["not-found", "SERVFAIL"],
      ["not-found", "NXDOMAIN"],
      ["not-found", "no address"],
      ["timed-out", "no answer in time"],
      ["not-found", "REFUSED"],
    ]);
    // The deciding one is the name as is (glibc reports its error), here REFUSED: the name does not resolve.
    expect(lookupResult("api", run(1, lines.join("\n")), frame)).toMatchObject({ outcome: "not-found" });
  });

  it("ends at a refused connection (no server listens), naming the resolver", () => {
    const stdout = [
      "@conf ndots:1 search:corp.example servers:127.0.0.1",
      "@try api.corp.example. 1 nslookup: write to '127.0.0.1': Connection refused;;; connection timed out; no servers could be reached",
    ].join("\n");
    expect(lookupResult("api", run(1, stdout), frame)).toMatchObject({
      outcome: "refused",
      detail:
        "api.corp.example. connection refused (asked DNS (127.0.0.1) for api.corp.example. (connection refused); not in /etc/hosts)",
    });
  });
});
