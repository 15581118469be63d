import { describe, expect, it } from "vitest";
import type { ExecOutput } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { dns } from "./dns.js";
import { listen } from "./listen.js";
import { runBatch } from "./probe-batch.js";
import { probeArgv, type ProbeItem } from "./probe-commands.js";
import { tcp } from "./tcp.js";

/** A site that records what it was asked to run and answers with `output`: probes need no engine to be read. */
function recordingSite(output: ExecOutput = { exitCode: 0, stdout: "", stderr: "" }) {
  const runs: Array<{ argv: string[]; timeoutMs: number }> = [];
  const site: ProbeSite = {
    name: "web",
    run: async (argv, timeoutMs) => {
      runs.push({ argv, timeoutMs });
      return output;
    },
    describe: (argv) => `docker exec web ${argv.join(" ")}`,
  };
  return { site, runs };
}

describe("the commands probes run at a site", () => {
  it("tcp connects with busybox nc under busybox timeout, rounded up to whole seconds, and reads the reply", async () => {
    const { site, runs } = recordingSite({ exitCode: 0, stdout: "hello\nsecond line\n", stderr: "" });
    const result = await tcp(site, 2500).connect("198.18.0.2", 80);
    expect(runs).toEqual([{ argv: ["timeout", "3", "nc", "-w", "3", "198.18.0.2", "80"], timeoutMs: 7500 }]);
    expect(result).toMatchObject({
      probe: "tcp",
      from: "web",
      target: "198.18.0.2:80",
      outcome: "connected",
      detail: "hello",
      reply: "hello\nsecond line\n",
    });
    expect(result.command).toBe("docker exec web timeout 3 nc -w 3 198.18.0.2 80");
  });

  it("tcp sends a request through printf when asked, quotes stripped", async () => {
    const { site, runs } = recordingSite();
    await tcp(site, 1000).connect("10.0.0.2", 8080, { send: "GET / HTTP/1.0\\r\\n\\r\\n" });
    expect(runs[0]?.argv).toEqual([
      "sh",
      "-c",
      "printf '%b' 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 1 nc -w 1 10.0.0.2 8080",
    ]);
  });

  it("dns asks busybox nslookup, of the site's resolver or of a server given", async () => {
    const { site, runs } = recordingSite({ exitCode: 1, stdout: "", stderr: "** server can't find x.test: NXDOMAIN" });
    expect((await dns(site, 3000).lookup("x.test")).outcome).toBe("not-found");
    const atServer = await dns(site, 3000).lookup("web", "127.0.0.11");
    expect(runs.map((run) => run.argv)).toEqual([
      ["timeout", "3", "nslookup", "x.test"],
      ["timeout", "3", "nslookup", "web", "127.0.0.11"],
    ]);
    expect(atServer.target).toBe("web@127.0.0.11");
  });

  it("listen starts busybox httpd on one address, serving a page that names the site", async () => {
    const { site, runs } = recordingSite();
    const result = await listen(site, 5000).http("172.17.0.2", 8080);
    expect(runs[0]?.argv).toEqual([
      "sh",
      "-c",
      "mkdir -p /tmp/netlab-www-8080 && echo 'served-by web' > /tmp/netlab-www-8080/index.html && httpd -p 172.17.0.2:8080 -h /tmp/netlab-www-8080",
    ]);
    expect(result).toMatchObject({ probe: "listen", outcome: "listening", target: "172.17.0.2:8080" });
  });

  it("refuses what is not an address, a port or a name before running anything", async () => {
    const { site, runs } = recordingSite();
    await expect(tcp(site).connect("198.18.0.2; rm -rf /", 80)).rejects.toThrow(/is not an IPv4 address/);
    await expect(tcp(site).connect("198.18.0.2", 70000)).rejects.toThrow(/is not a TCP port/);
    await expect(dns(site).lookup("$(id)")).rejects.toThrow(/is not a DNS name/);
    expect(runs).toEqual([]);
  });
});

describe("probeArgv: the one busybox command of a probe, alone or in a batch", () => {
  it("connects with nc, bounded twice by the timeout in whole seconds (at least 1), ending once connected", () => {
    expect(probeArgv({ kind: "tcp", address: "10.0.0.2", port: 5432 }, 3000)).toEqual([
      "timeout",
      "3",
      "nc",
      "-w",
      "3",
      "10.0.0.2",
      "5432",
      "-e",
      "true",
    ]);
    expect(probeArgv({ kind: "tcp", address: "10.0.0.2", port: 80 }, 2001)[1]).toBe("3");
    expect(probeArgv({ kind: "tcp", address: "10.0.0.2", port: 80 }, 200)[1]).toBe("1");
  });

  it("keeps the connection to read when the probe wants the greeting or sends a request", () => {
    expect(probeArgv({ kind: "tcp", address: "10.0.0.2", port: 80, greeting: true }, 3000)).toEqual([
      "timeout",
      "3",
      "nc",
      "-w",
      "3",
      "10.0.0.2",
      "80",
    ]);
    expect(probeArgv({ kind: "tcp", address: "10.0.0.2", port: 80, send: "GET /'x\\r\\n" }, 3000)).toEqual([
      "sh",
      "-c",
      "printf '%b' 'GET /x\\r\\n' | timeout 3 nc -w 3 10.0.0.2 80",
    ]);
  });

  it("looks a name up with the site's own resolver, or at a given server", () => {
    expect(probeArgv({ kind: "dns", name: "db" }, 3000)).toEqual(["timeout", "3", "nslookup", "db"]);
    expect(probeArgv({ kind: "dns", name: "db.shop_data", server: "127.0.0.11" }, 3000)).toEqual([
      "timeout",
      "3",
      "nslookup",
      "db.shop_data",
      "127.0.0.11",
    ]);
  });

  it.each<ProbeItem>([
    { kind: "tcp", address: "db; rm -rf /", port: 80 },
    { kind: "tcp", address: "10.0.0.2", port: 70000 },
    { kind: "dns", name: "db$(reboot)" },
    { kind: "dns", name: "db", server: "127.0.0.11; id" },
  ])("refuses what is not an address, port or name: %j", (item) => {
    expect(() => probeArgv(item, 3000)).toThrow(/is not an IPv4 address|is not a TCP port|is not a DNS name/);
  });

  it("gives a single probe and a batch's item that reads the same command to paste", async () => {
    const { site } = recordingSite({ exitCode: 0, stdout: "@@0 0 hello\n", stderr: "" });
    const single = await tcp(site, 3000).connect("198.18.0.2", 80);
    const looked = await dns(site, 3000).lookup("web");
    const { results } = await runBatch(
      site,
      [
        { kind: "tcp", address: "198.18.0.2", port: 80, greeting: true },
        { kind: "dns", name: "web" },
      ],
      3000,
    );
    expect(results.map((result) => result.command)).toEqual([single.command, looked.command]);
    expect(single.command).toBe("docker exec web timeout 3 nc -w 3 198.18.0.2 80");
  });
});
