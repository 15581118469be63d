import { describe, expect, it } from "vitest";
import { composeFailure } from "./compose.js";

describe("composeFailure: why compose did not bring a project up", () => {
  it("quotes compose v1's error, not its first progress line nor its closing line", () => {
    const v1 = [
      'Creating network "h9s5_mesh" with the default driver',
      "Creating h9s5_web_1 ... done",
      "Creating h9s5_side_1 ... error",
      "",
      "ERROR: for h9s5_side_1  Cannot create container for service side: conflicting options: dns and the network mode",
      "",
      "ERROR: for side  Cannot create container for service side: conflicting options: dns and the network mode",
      "Encountered errors while bringing up the project.",
    ].join("\n");
    expect(composeFailure(v1)).toBe(
      "Cannot create container for service side: conflicting options: dns and the network mode",
    );
  });

  it("quotes compose v2's daemon error, and the last line when nothing says error", () => {
    const v2 = [
      " Network h9s5_mesh  Creating",
      " Container h9s5-side-1  Error",
      "Error response from daemon: conflicting options: dns and the network mode",
    ].join("\n");
    expect(composeFailure(v2)).toBe("Error response from daemon: conflicting options: dns and the network mode");
    expect(
      composeFailure('Creating network x\nservice "web" refers to undefined network nope: invalid compose project\n'),
    ).toBe('service "web" refers to undefined network nope: invalid compose project');
  });
});
