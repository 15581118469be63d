import { describe, expect, it } from "vitest";
import { unknownNames } from "./unknown-names.js";
import { YamlSource } from "./yaml-source.js";

const problems = (yaml: string) =>
  unknownNames(YamlSource.parse(yaml, "net.yaml"), ["web", "side"], "compose.yml").map((problem) => problem.message);

describe("names a spec with compose: uses", () => {
  it("lets a lookup name what is no service (an extra_hosts name), and still checks who looks it up", () => {
    expect(problems("expect:\n  - { from: side, resolve: billing.internal, addresses: [10.9.9.9] }\n")).toEqual([]);
    expect(problems("expect:\n  - { from: sid, resolve: billing.internal }\n")).toEqual([
      "unknown service `sid` (did you mean `side`?); services in compose.yml: side, web",
    ]);
  });
});
