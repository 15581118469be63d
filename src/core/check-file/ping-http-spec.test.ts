import { describe, expect, it } from "vitest";
import { expectationsOf } from "./expectations.js";
import { parseSpec } from "./parse-spec.js";
import { specErrors, withExpect } from "./spec-test-helpers.js";

const parsed = (...lines: string[]) => expectationsOf(parseSpec(withExpect(...lines), "net.yaml"));

describe("ping expectations", () => {
  it("reads a name, host and addresses, with a generated id", () => {
    expect(parsed("- { from: web, ping: db, reach: yes }")[0]).toMatchObject({
      kind: "ping",
      id: "web gets a ping reply from db",
      from: { kind: "name", name: "web" },
      target: { kind: "name", name: "db" },
      ip: 4,
      expected: { reach: true },
    });
    expect(parsed("- { from: outside, ping: host, reach: no }")[0]).toMatchObject({
      id: "outside gets no ping reply from host",
      target: { kind: "host" },
    });
    expect(parsed("- { from: web, ping: db, reach: yes, ip: 6 }")[0]).toMatchObject({
      id: "web gets a ping reply from db over IPv6",
      ip: 6,
    });
    expect(parsed('- { from: web, ping: "FD00:1:0::2", reach: yes }')[0]).toMatchObject({
      target: { kind: "address", address: "fd00:1::2" },
    });
    expect(parsed("- { from: host, ping: 172.30.0.10, reach: yes }")[0]).toMatchObject({
      target: { kind: "address", address: "172.30.0.10" },
    });
  });

  it("says at FILE:LINE:COL what is wrong", () => {
    expect(specErrors(withExpect("- { from: web, ping: db:80, reach: yes }"))).toEqual([
      "net.yaml:3:24 bad ping target `db:80`: an echo has no port; write NAME, host, or an IPv4/IPv6 address",
    ]);
    expect(specErrors(withExpect('- { from: web, ping: "10.1", reach: yes }'))).toEqual([
      "net.yaml:3:24 bad ping target `10.1`: not an IPv4 address (four numbers, 10.0.0.2)",
    ]);
    expect(specErrors(withExpect("- { from: web, ping: outside, reach: yes }"))).toEqual([
      "net.yaml:3:24 bad ping target `outside`: ping a container, host or an address (from: outside, ping: host)",
    ]);
    expect(specErrors(withExpect("- { from: web, ping: 10.0.0.2, reach: yes, ip: 6 }"))).toEqual([
      "net.yaml:3:50 `ip` with an address: the address says its version already; give ip with a name or host",
    ]);
    expect(specErrors(withExpect("- { from: web, ping: db, reach: maybe }"))).toEqual([
      "net.yaml:3:35 bad reach `maybe`: yes or no",
    ]);
    expect(specErrors(withExpect("- { from: web, ping: db }"))).toEqual([
      "net.yaml:3:5 missing `reach`: yes (an echo reply comes back) or no",
    ]);
    expect(specErrors(withExpect("- { from: web, ping: db, reach: yes, ip: 5 }"))).toEqual([
      "net.yaml:3:44 bad ip `5`: 4 or 6",
    ]);
  });
});

describe("http expectations", () => {
  it("reads the target, path, status and body; status 200 when neither is given", () => {
    expect(parsed('- { from: web, http: "api:8080/health", status: 200, body: "ok" }')[0]).toMatchObject({
      kind: "http",
      id: 'web → GET api:8080/health: HTTP 200, body contains "ok"',
      to: { kind: "name", name: "api", port: 8080 },
      path: "/health",
      status: 200,
      body: "ok",
    });
    expect(parsed('- { from: outside, http: "host:8443" }')[0]).toMatchObject({
      id: "outside → GET host:8443/: HTTP 200",
      to: { kind: "host", port: 8443 },
      path: "/",
      status: 200,
    });
    const bodyOnly = parsed('- { from: host, http: "[fd00::2]:80/x?y=1", body: hello }')[0];
    expect(bodyOnly).toMatchObject({
      id: 'host → GET [fd00::2]:80/x?y=1: body contains "hello"',
      to: { kind: "address", address: "fd00::2", port: 80 },
      path: "/x?y=1",
    });
    expect(bodyOnly).not.toHaveProperty("status");
    expect(parsed('- { from: web, http: "api:8080/", ip: 6 }')[0]).toMatchObject({
      id: "web → GET api:8080/ over IPv6: HTTP 200",
      ip: 6,
    });
  });

  it("says at FILE:LINE:COL what is wrong", () => {
    expect(specErrors(withExpect('- { from: web, http: "api/health" }'))).toEqual([
      "net.yaml:3:24 bad http target `api/health`: write NAME:PORT/PATH, host:PORT/PATH, IPv4:PORT/PATH or [IPv6]:PORT/PATH",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:99999/" }'))).toEqual([
      "net.yaml:3:24 bad port 99999 in `api:99999`: a number from 1 to 65535",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:80/a b" }'))).toEqual([
      "net.yaml:3:24 bad path `/a b` in `api:80/a b`: letters, digits and - . _ ~ ! & ( ) * + , ; = : @ % / ? (no spaces, quotes or #)",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "outside:80/" }'))).toEqual([
      "net.yaml:3:24 bad http target `outside:80/`: outside is not an HTTP server; write NAME:PORT/PATH, host:PORT/PATH, IPv4:PORT/PATH or [IPv6]:PORT/PATH",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:80/", status: 99 }'))).toEqual([
      "net.yaml:3:43 bad status `99`: a number from 100 to 599, e.g. 200",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:80/", status: "ok" }'))).toEqual([
      "net.yaml:3:43 `status` should be a number, not a string",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:80/", body: "" }'))).toEqual([
      "net.yaml:3:41 empty body: give the text the body contains, or leave `body` out",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "10.0.0.2:80/", ip: 6 }'))).toEqual([
      "net.yaml:3:44 `ip: 6` with 10.0.0.2:80, an IPv4 address: the address says its family, drop `ip`",
    ]);
    expect(specErrors(withExpect('- { from: web, http: "api:80/", reach: yes }'))).toEqual([
      expect.stringMatching(/^net\.yaml:3:35 unknown key `reach`/),
    ]);
  });
});
