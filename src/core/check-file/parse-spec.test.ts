import { describe, expect, it } from "vitest";
import { parseSpec } from "./parse-spec.js";
import { SpecError } from "./spec-error.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

describe("parseSpec errors: one FILE:LINE:COL line each, at the offending node", () => {
  it("reports a YAML syntax error where the yaml package finds it", () => {
    const lines = specErrors("version: 1\nexpect:\n  - from: web\n    to: [db:5432\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^net\.yaml:5:1 /);
  });

  it("reports a duplicate key as YAML does", () => {
    expect(specErrors(withExpect("- from: web", "  from: api", "  to: db:1", "  reach: yes"))[0]).toMatch(
      /^net\.yaml:4:5 Map keys must be unique/,
    );
  });

  it("points at an unknown key, names the allowed keys and suggests the nearest", () => {
    // A near miss of the missing key is one problem (issue-problems.test.ts); another key keeps the allowed list.
    expect(specErrors(withExpect("- from: web", "  to: db:5432", "  rech: yes"))).toEqual([
      "net.yaml:5:5 unknown key `rech` (did you mean `reach`?)",
    ]);
    expect(specErrors(withExpect("- from: web", "  to: db:5432", "  reach: yes", "  rech: yes"))).toEqual([
      "net.yaml:6:5 unknown key `rech` in a reach expectation (did you mean `reach`?); allowed keys: from, to, reach, outcome, seen-as, ip, id, name, within",
    ]);
  });

  it("names the keys of the shape the expectation has, at the top level too", () => {
    expect(specErrors(withExpect("- from: web", "  resolve: db", "  outcome: not-found"))).toContain(
      "net.yaml:5:5 unknown key `outcome` in a resolve expectation; allowed keys: from, resolve, reach, addresses, includes, count, id, name, within",
    );
    expect(
      specErrors(`versoin: 1\n${withExpect("- from: a", "  to: b:1", "  reach: no").slice("version: 1\n".length)}`),
    ).toEqual(["net.yaml:1:1 unknown key `versoin` (did you mean `version`?)"]);
  });

  it("rejects another version at its value", () => {
    expect(specErrors("version: 3\nexpect:\n  - {from: a, to: b:1, reach: yes}\n")).toEqual([
      "net.yaml:1:10 unsupported version `3`: this netlab reads versions 1 and 2",
    ]);
  });

  it.each([
    ["db:0", "bad port 0 in `db:0`: a number from 1 to 65535"],
    ["db:70000", "bad port 70000 in `db:70000`: a number from 1 to 65535"],
    ["db:http", "bad port `http` in `db:http`: a number from 1 to 65535"],
  ])("rejects the port of %s at the target", (to, message) => {
    expect(specErrors(withExpect("- from: web", `  to: ${to}`, "  reach: yes"))).toEqual([`net.yaml:4:9 ${message}`]);
  });

  it.each([
    ["db", "bad target `db`: give NAME:PORT, host:PORT, IPv4:PORT, [IPv6]:PORT (each with /udp for UDP) or outside"],
    [
      "host",
      "bad target `host`: give NAME:PORT, host:PORT, IPv4:PORT, [IPv6]:PORT (each with /udp for UDP) or outside",
    ],
    ["10.0.0.300:80", "bad target `10.0.0.300:80`: `10.0.0.300` is not an IPv4 address"],
    [
      "'we b:80'",
      "bad target `we b:80`: give NAME:PORT, host:PORT, IPv4:PORT, [IPv6]:PORT (each with /udp for UDP) or outside",
    ],
  ])("rejects the target %s", (to, message) => {
    expect(specErrors(withExpect("- from: web", `  to: ${to}`, "  reach: yes"))).toEqual([`net.yaml:4:9 ${message}`]);
  });

  it("rejects an address or a port as a source", () => {
    expect(specErrors(withExpect("- from: 10.0.0.2", "  to: db:1", "  reach: yes"))).toEqual([
      "net.yaml:3:11 bad source `10.0.0.2`: an address cannot probe; name a container, `host` or `outside`",
    ]);
    expect(specErrors(withExpect("- from: web:80", "  to: db:1", "  reach: yes"))[0]).toMatch(
      /^net\.yaml:3:11 bad source `web:80`/,
    );
  });

  it("reads netns:NAME as a source and as whose interfaces, and rejects a bad one at its value", () => {
    const text = withExpect(
      "- from: netns:red",
      "  to: 10.1.2.3:80",
      "  reach: yes",
      "- interfaces: netns:red",
      "  veth-on: br0",
    );
    const [reach, interfaces] = parseSpec(text, "net.yaml").expect;
    expect(reach).toMatchObject({ from: { kind: "netns", name: "red" } });
    expect(interfaces).toMatchObject({ interfaces: { kind: "netns", name: "red" } });
    expect(specErrors(withExpect("- from: 'netns:'", "  to: 10.1.2.3:80", "  reach: yes"))).toEqual([
      "net.yaml:3:11 bad namespace `netns:`: write netns:NAME, NAME as `ip netns list` shows it",
    ]);
    expect(specErrors(withExpect("- interfaces: netns:a/b", "  only: [lo]"))).toEqual([
      "net.yaml:3:17 bad namespace `netns:a/b`: write netns:NAME, NAME as `ip netns list` shows it",
    ]);
  });

  it("takes seen-as only with to: outside and reach: yes", () => {
    expect(
      parseSpec(withExpect("- from: netns:red", "  to: outside", "  reach: yes", "  seen-as: host"), "net.yaml")
        .expect[0],
    ).toMatchObject({ "seen-as": "host" });
    expect(specErrors(withExpect("- from: web", "  to: db:80", "  reach: yes", "  seen-as: host"))).toEqual([
      "net.yaml:6:14 `seen-as` needs `to: outside` and `reach: yes`: only the outside (the sentinel) reports who it saw",
    ]);
    expect(specErrors(withExpect("- from: web", "  to: outside", "  reach: yes", "  seen-as: nat"))[0]).toMatch(
      /^net\.yaml:6:14 bad seen-as `nat`: host/,
    );
    expect(specErrors(withExpect("- from: host", "  to: outside", "  reach: yes", "  seen-as: host"))).toEqual([
      "net.yaml:6:14 `seen-as` from host says nothing: the host's own address is the one NAT would show; probe from a container or netns:NAME",
    ]);
  });

  it("rejects reach and outcome together, at the outcome", () => {
    expect(specErrors(withExpect("- from: web", "  to: db:5432", "  reach: no", "  outcome: refused"))).toEqual([
      "net.yaml:6:14 `reach` and `outcome` together: give one of them",
    ]);
  });

  it("rejects an expectation with neither reach nor outcome, at the expectation", () => {
    expect(specErrors(withExpect("- from: web", "  to: db:5432"))).toEqual([
      "net.yaml:3:5 missing `reach` (yes or no) or `outcome` (one exact outcome)",
    ]);
  });

  it("lists the valid outcomes for an unknown one", () => {
    expect(specErrors(withExpect("- from: web", "  to: db:5432", "  outcome: timeout"))).toEqual([
      "net.yaml:5:14 unknown outcome `timeout`; valid outcomes: connected, refused, timed-out, unreachable, host-unreachable, address-in-use, resolved, not-found, listening, failed",
    ]);
  });

  it("rejects a reach that is not yes or no", () => {
    expect(specErrors(withExpect("- from: web", "  to: db:5432", "  reach: maybe"))).toEqual([
      "net.yaml:5:12 bad reach `maybe`: yes or no",
    ]);
  });

  it("rejects a ragged matrix: too few rows at `reach`, a short row at the row", () => {
    const lines = specErrors(
      withExpect(
        "- matrix:",
        "    from: [a, b, c]",
        "    to: [a:1, b:2]",
        "    reach:",
        "      - [y, n]",
        "      - [n]",
      ),
    );
    expect(lines).toEqual([
      "net.yaml:7:9 ragged matrix: 2 rows for 3 `from` entries; give one row per `from`",
      "net.yaml:8:11 ragged matrix: row 2 has 1 cells for 2 `to` entries",
    ]);
  });

  it("rejects a bad matrix cell and a bad target in a matrix", () => {
    expect(specErrors(withExpect("- matrix:", "    from: [a]", "    to: [b:99999]", "    reach: [[maybe]]"))).toEqual([
      "net.yaml:5:12 bad port 99999 in `b:99999`: a number from 1 to 65535",
      "net.yaml:6:16 bad matrix cell `maybe`: y, n or . (not checked)",
    ]);
  });

  it("names each unknown service at its use, listing the compose services", () => {
    const text = withExpect(
      "- from: wbe",
      "  to: db:5432",
      "  reach: yes",
      "- matrix:",
      "    from: [web]",
      "    to: [cache:6379]",
      "    reach: [[y]]",
    );
    expect(specErrors(text, { composeServices: ["web", "db"] })).toEqual([
      "net.yaml:3:11 unknown service `wbe` (did you mean `web`?); services in the compose file: db, web",
      "net.yaml:8:12 unknown service `cache`; services in the compose file: db, web",
    ]);
  });

  it("lets host, outside and addresses through the service check", () => {
    const text = withExpect(
      "- from: host",
      "  to: 10.0.0.1:80",
      "  reach: yes",
      "- from: outside",
      "  to: host:8443",
      "  reach: no",
      "- from: web",
      "  to: outside",
      "  reach: yes",
    );
    expect(parseSpec(text, "net.yaml", { composeServices: ["web"] }).expect).toHaveLength(3);
  });

  it("rejects a duplicate id at the second one, generated or given", () => {
    expect(specErrors(withExpect("- {from: a, to: b:1, reach: yes}", "- {from: a, to: b:1, reach: yes}"))).toEqual([
      "net.yaml:4:5 duplicate id `a → b:1 reachable` (first on line 3): give one of them an `id:`",
    ]);
    expect(
      specErrors(
        withExpect("- {from: a, to: b:1, reach: yes, id: x}", "- from: a", "  to: b:2", "  reach: no", "  id: x"),
      ),
    ).toEqual(["net.yaml:7:9 duplicate id `x` (first on line 3): give one of them an `id:`"]);
  });

  it("rejects a duplicate between a matrix cell and an expectation, at the cell", () => {
    expect(
      specErrors(withExpect("- {from: a, to: b:1, reach: no}", "- matrix: {from: [a], to: [b:1], reach: [[n]]}")),
    ).toEqual(["net.yaml:4:45 duplicate id `a → b:1 not reachable` (first on line 3): give one of them an `id:`"]);
  });

  it("collects every problem, first first", () => {
    const lines = specErrors(
      "version: 3\nexpect:\n  - {from: a, to: b:0, reach: yes}\n  - {from: a, to: b:1, reach: yes, outcome: refused}\n",
    );
    expect(lines.map((line) => line.split(" ")[0])).toEqual(["net.yaml:1:10", "net.yaml:3:19", "net.yaml:4:45"]);
  });

  it("says what an expectation that is not a map should be", () => {
    expect(specErrors(withExpect("- web → db"))).toEqual([
      "net.yaml:3:5 item 1 of `expect` should be a map with from and to, from and resolve, publishes and ports, matrix, network, docker-network, address, interfaces or container; not a string",
    ]);
    expect(specErrors("version: 1\nexpect: []\n")).toEqual(["net.yaml:2:9 `expect` lists no expectations"]);
    expect(specErrors("")).toEqual(["net.yaml:1:1 the spec should be a map, not empty"]);
  });

  it("throws a SpecError whose message is its lines", () => {
    const error = (() => {
      try {
        parseSpec("version: 3\nexpect: []\n", "x.yaml");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).name).toBe("SpecError");
    expect((error as SpecError).message).toBe((error as SpecError).lines().join("\n"));
    expect((error as SpecError).problems[0]).toEqual({
      file: "x.yaml",
      line: 1,
      col: 10,
      message: "unsupported version `3`: this netlab reads versions 1 and 2",
    });
  });
});
