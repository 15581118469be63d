import { describe, expect, it } from "vitest";
import { parseSpec } from "../core/check-file/parse-spec.js";
import { expectationsOf, type Expectation } from "../core/check-file/expectations.js";
import { perTask, taskName, taskTargetName } from "./stack-tasks.js";

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
