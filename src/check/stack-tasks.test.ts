import { describe, expect, it } from "vitest";
import { parseSpec } from "../core/check-file/parse-spec.js";
import { expectationsOf, type Expectation } from "../core/check-file/expectations.js";
import { outsideToNodes, perTask, portsInStackFile, taskName, taskTargetName } from "./stack-tasks.js";

function expectationsIn(...lines: string[]): Expectation[] {
  return expectationsOf(parseSpec(`version: 1\nexpect:\n${lines.map((line) => `  ${line}`).join("\n")}\n`, "s.yaml"));
}

describe("perTask: `from: <service>` of a stack means from every running task", () => {
  const tasks = new Map([
    ["web", [taskName("web", 1, "node1"), taskName("web", 2, "node2")]],
    ["api", [taskName("api", 1, "node3")]],
  ]);

  it("makes one expectation per task, from that task, its id suffixed with the task's stable name", () => {
    const [first, second, ...rest] = perTask(
      expectationsIn("- {id: web-api, from: web, to: api:9000, reach: yes}"),
      tasks,
    );
    expect(rest).toEqual([]);
    expect([first?.id, second?.id]).toEqual(["web-api/web.1", "web-api/web.2"]);
    expect(first && "from" in first ? first.from : undefined).toEqual({ kind: "name", name: "web.1@node1" });
    expect(second && "from" in second ? second.from : undefined).toEqual({ kind: "name", name: "web.2@node2" });
    // The destination stays the service: its name as deployed.
    expect(first && "to" in first ? first.to : undefined).toEqual({ kind: "name", name: "api", port: 9000 });
  });

  it("keeps what is not probed from a service as written: host, outside, a state expectation", () => {
    const written = expectationsIn(
      "- {from: host, to: api:9000, reach: no}",
      "- {docker-network: demo_data, internal: yes}",
      "- {from: api, resolve: web, reach: yes}",
    );
    const expanded = perTask(written, tasks);
    expect(expanded.slice(0, 2)).toEqual(written.slice(0, 2));
    expect(expanded[2]?.id).toBe(`${written[2]?.id}/api.1`);
  });

  it("names a global service's task by its node", () => {
    const global = taskName("agent", undefined, "node2");
    expect(global.task).toBe("agent@node2");
    expect(taskTargetName(global)).toBe("agent@node2");
    expect(taskTargetName(taskName("web", 3, "node1"))).toBe("web.3@node1");
  });
});

describe("outsideToNodes: from outside, a stack's service is its published port on the nodes' LAN", () => {
  const lan = {
    nodes: [
      { name: "node1", address: "10.214.32.1" },
      { name: "node2", address: "10.214.32.2" },
      { name: "node3", address: "10.214.32.3" },
    ],
    ports: new Map([
      ["web", [{ published: 18080, mode: "host" as const }]],
      ["api", [{ published: 19000, mode: "ingress" as const }]],
    ]),
    tasks: new Map([
      ["web", [taskName("web", 1, "node1"), taskName("web", 2, "node3")]],
      ["api", [taskName("api", 1, "node2")]],
    ]),
  };

  it("dials a mode-host port at each node running a task, an ingress port at every node (marked)", () => {
    const { expectations, throughIngress } = outsideToNodes(
      expectationsIn(
        "- {id: o-web, from: outside, to: web:18080, reach: yes}",
        "- {id: o-api, from: outside, to: api:19000, reach: yes}",
      ),
      lan,
    );
    expect(
      expectations.map((expectation) => [expectation.id, "to" in expectation ? expectation.to : undefined]),
    ).toEqual([
      ["o-web/node1", { kind: "address", address: "10.214.32.1", port: 18080 }],
      ["o-web/node3", { kind: "address", address: "10.214.32.3", port: 18080 }],
      ["o-api/node1", { kind: "address", address: "10.214.32.1", port: 19000 }],
      ["o-api/node2", { kind: "address", address: "10.214.32.2", port: 19000 }],
      ["o-api/node3", { kind: "address", address: "10.214.32.3", port: 19000 }],
    ]);
    expect([...throughIngress]).toEqual(["o-api/node1", "o-api/node2", "o-api/node3"]);
  });

  it("keeps the protocol of a /udp port it dials at the nodes", () => {
    const { expectations } = outsideToNodes(
      expectationsIn("- {id: o-u, from: outside, to: web:18080/udp, reach: yes}"),
      lan,
    );
    expect(expectations.map((expectation) => ("to" in expectation ? expectation.to : undefined))).toEqual([
      { kind: "address", address: "10.214.32.1", port: 18080, protocol: "udp" },
      { kind: "address", address: "10.214.32.3", port: 18080, protocol: "udp" },
    ]);
  });

  it("keeps what does not start outside, and refuses at its line a port not published and `to: outside`", () => {
    const kept = expectationsIn("- {from: web, to: api:9000, reach: yes}");
    expect(outsideToNodes(kept, lan).expectations).toEqual(kept);
    const bad = expectationsIn("- {from: outside, to: web:9999, reach: yes}", "- {from: web, to: outside, reach: yes}");
    expect(() => outsideToNodes(bad, lan)).toThrow(
      /^s\.yaml:3:5 web publishes no port 9999 \(it publishes 18080 \(host\)\).*\ns\.yaml:4:5 `to: outside` in a stack spec/,
    );
  });
});

describe("portsInStackFile: what a stack file publishes, as stack deploy reads ports:", () => {
  it("reads the short form as ingress, the long form in its mode, and skips a port published nowhere fixed", () => {
    const ports = portsInStackFile({
      web: {
        ports: ["18080:8080", "127.0.0.1:18443:8443/tcp", "9000", { target: 80, published: 18081, mode: "host" }],
      },
      api: { ports: [{ target: 9000, published: "19000" }] },
      db: null,
    });
    expect(Object.fromEntries(ports)).toEqual({
      web: [
        { published: 18080, mode: "ingress" },
        { published: 18443, mode: "ingress" },
        { published: 18081, mode: "host" },
      ],
      api: [{ published: 19000, mode: "ingress" }],
      db: [],
    });
  });
});
