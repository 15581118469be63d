import { describe, expect, it } from "vitest";
import type { ExecOutput } from "../core/outcome.js";
import type { ProbeSite } from "../runtime/site.js";
import { dns } from "./dns.js";
import { listen } from "./listen.js";
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
  it("tcp connects with busybox nc under busybox timeout, rounded up to whole seconds", async () => {
    const { site, runs } = recordingSite({ exitCode: 0, stdout: "hello\n", stderr: "" });
    const result = await tcp(site, 2500).connect("198.18.0.2", 80);
    expect(runs).toEqual([{ argv: ["timeout", "3", "nc", "198.18.0.2", "80"], timeoutMs: 7500 }]);
    expect(result).toMatchObject({ probe: "tcp", from: "web", target: "198.18.0.2:80", outcome: "connected", detail: "hello" });
    expect(result.command).toBe("docker exec web timeout 3 nc 198.18.0.2 80");
  });

  it("tcp sends a request through printf when asked, quotes stripped", async () => {
    const { site, runs } = recordingSite();
    await tcp(site, 1000).connect("10.0.0.2", 8080, { send: "GET / HTTP/1.0\\r\\n\\r\\n" });
    expect(runs[0]?.argv).toEqual(["sh", "-c", "printf '%b' 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 1 nc 10.0.0.2 8080"]);
  });

  it("dns asks busybox nslookup, of the site's resolver or of a server given", async () => {
    const { site, runs } = recordingSite({ exitCode: 1, stdout: "", stderr: "** server can't find x.test: NXDOMAIN" });
    expect((await dns(site, 3000).lookup("x.test")).outcome).toBe("not-found");
    await dns(site, 3000).lookup("web", "127.0.0.11");
    expect(runs.map((run) => run.argv)).toEqual([
      ["timeout", "3", "nslookup", "x.test"],
      ["timeout", "3", "nslookup", "web", "127.0.0.11"],
    ]);
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
