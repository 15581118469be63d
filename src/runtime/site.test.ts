import { describe, expect, it } from "vitest";
import { outsideRecipe } from "./sentinel.js";
import { namespaceSite, rememberHowToRemake, towardRemadeOutside } from "./site.js";

const PROBE = ["timeout", "3", "nc", "-w", "3", "198.19.201.237", "8443", "-e", "true"];

describe("a probe's see-it command from the sentinel", () => {
  it("makes the outside again, probes from it and removes it: the run's own namespace is gone when it is pasted", () => {
    const sentinel = "netlab-e789294a-6624";
    rememberHowToRemake(
      sentinel,
      outsideRecipe({ hostAddress: "198.19.201.237", address: "198.19.201.238", link: "198.19.201.236/30" }),
    );
    const command = namespaceSite("outside", sentinel).describe(PROBE);
    expect(command).not.toContain(sentinel);
    expect(command).toBe(
      [
        "ip netns add seeit-c613c9ed",
        "ip link add si-c613c9ed type veth peer name eth0 netns seeit-c613c9ed",
        "ip addr add 198.19.201.237/30 dev si-c613c9ed",
        "ip link set si-c613c9ed up",
        "ip -n seeit-c613c9ed addr add 198.19.201.238/30 dev eth0",
        "ip -n seeit-c613c9ed link set eth0 up",
        "ip -n seeit-c613c9ed route add default via 198.19.201.237",
        "ip netns exec seeit-c613c9ed busybox timeout 3 nc -w 3 198.19.201.237 8443 -e true; s=$?; ip link del si-c613c9ed; ip netns del seeit-c613c9ed; (exit $s)",
      ].join(" && "),
    );
  });

  it("names a namespace as it is where netlab does not remove it at the end (a lab's, a user's)", () => {
    expect(namespaceSite("left", "mine").describe(["ping", "-c", "1", "10.0.0.1"])).toBe(
      "ip netns exec mine busybox ping -c 1 10.0.0.1",
    );
  });

  it("toward the outside: makes it again with a one-shot listener on the dialled port, probes, removes it", () => {
    const sentinel = "netlab-e789294a-7000";
    rememberHowToRemake(
      sentinel,
      outsideRecipe({ hostAddress: "198.19.201.237", address: "198.19.201.238", link: "198.19.201.236/30" }),
    );
    const probe = ["timeout", "3", "nc", "-w", "3", "198.19.201.238", "9000", "-e", "true"];
    const inWeb =
      "docker run --rm --network container:web netlab/probe:latest timeout 3 nc -w 3 198.19.201.238 9000 -e true";
    const command = towardRemadeOutside(sentinel, "198.19.201.238", probe, inWeb);
    expect(command).not.toContain(sentinel);
    expect(command).toContain(
      'ip -n seeit-c613c9ed route add default via 198.19.201.237 && (ip netns exec seeit-c613c9ed busybox nc -l -p 9000 -e true >/dev/null 2>&1 &) && for i in $(seq 30); do ip netns exec seeit-c613c9ed busybox netstat -ltn | grep -q ":9000 " && break; sleep 0.1; done && docker run',
    );
    expect(command.endsWith("; s=$?; ip link del si-c613c9ed; ip netns del seeit-c613c9ed; (exit $s)")).toBe(true);
    // A probe that does not dial the outside, or an unknown sentinel: the command as it was.
    expect(towardRemadeOutside(sentinel, "198.19.201.238", PROBE, "as is")).toBe("as is");
    expect(towardRemadeOutside("netlab-unknown-1", "198.19.201.238", probe, "as is")).toBe("as is");
  });
});
