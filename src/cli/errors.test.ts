import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/config.js";
import { SpecError } from "../core/check-file/spec-error.js";
import { exitCodeFor, failureLines, STOPPED_EXIT, stoppedExitCode, UsageError } from "./errors.js";

describe("exit codes, one per meaning", () => {
  it("a command that stopped before deciding: 2 for what the user wrote, 3 for the environment", () => {
    const spec = new SpecError([{ file: "net.yaml", line: 3, col: 5, message: "unknown service" }]);
    expect(stoppedExitCode(spec, [SpecError, ConfigError])).toBe(STOPPED_EXIT.usage);
    expect(stoppedExitCode(new ConfigError("NETLAB_X is not a number"), [SpecError, ConfigError])).toBe(
      STOPPED_EXIT.usage,
    );
    // Control: an error the command does not count as the user's is the environment's.
    expect(stoppedExitCode(new ConfigError("NETLAB_X is not a number"), [SpecError])).toBe(STOPPED_EXIT.environment);
    expect(stoppedExitCode(new Error("connect ENOENT /var/run/docker.sock"), [SpecError, ConfigError])).toBe(
      STOPPED_EXIT.environment,
    );
  });

  it("any other command's failure: 2 for usage, 1 otherwise", () => {
    expect(exitCodeFor(new UsageError("unknown lab"))).toBe(2);
    expect(exitCodeFor(new Error("engine gone"))).toBe(1);
  });

  it("a bad spec prints each problem; anything else one line", () => {
    const spec = new SpecError([
      { file: "net.yaml", line: 3, col: 5, message: "unknown service" },
      { file: "net.yaml", line: 9, col: 1, message: "bad port" },
    ]);
    expect(failureLines(spec)).toEqual(["net.yaml:3:5 unknown service", "net.yaml:9:1 bad port"]);
    expect(failureLines(new Error("first\nsecond"))).toEqual(["netlab: first"]);
  });
});
