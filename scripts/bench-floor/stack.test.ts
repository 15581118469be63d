// The bench's second floor: vitest and one worker that loads testcontainers (and with it dockerode), the stack
// the lab containers are started on; nothing of netlab's, no engine call.
import { GenericContainer } from "testcontainers";
import { expect, test } from "vitest";

test("F1 vitest and testcontainers", () => {
  expect(GenericContainer).toBeTypeOf("function");
});
