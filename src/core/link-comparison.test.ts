import { describe, expect, it } from "vitest";
import { compareWithHost } from "./link-comparison.js";

describe("a namespace's links against the host's, taken at two instants", () => {
  it("the same links are the same view", () => {
    expect(compareWithHost(["1:lo", "2:eth0", "3:docker0"], ["1:lo", "2:eth0", "3:docker0"], [])).toEqual({
      missingInside: [],
      unexplainedInside: [],
      changedMeanwhile: [],
    });
  });

  it("a veth that came and went on the host between the looks is explained by its event, not held against the view", () => {
    const compared = compareWithHost(
      ["1:lo", "3:docker0", "40:vetha"],
      ["1:lo", "3:docker0", "1373:veth4c9a3e9"],
      [40, 1373],
    );
    expect(compared).toEqual({
      missingInside: [],
      unexplainedInside: [],
      changedMeanwhile: ["40:vetha", "1373:veth4c9a3e9"],
    });
  });

  it("control: a namespace of its own differs, and no event on the host explains it", () => {
    const compared = compareWithHost(["1:lo", "2:eth0", "3:docker0"], ["1:lo", "31:eth0"], [77]);
    expect(compared.missingInside).toEqual(["2:eth0", "3:docker0"]);
    expect(compared.unexplainedInside).toEqual(["31:eth0"]);
  });

  it("a link renamed without an event would not be excused: index and name both count", () => {
    expect(compareWithHost(["5:veth1"], ["5:eth0"], []).unexplainedInside).toEqual(["5:eth0"]);
  });
});
