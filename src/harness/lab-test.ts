import { afterAll, afterEach, inject, test } from "vitest";
import { describeClaim } from "./allure-runtime.js";
import { Lab } from "../lifecycle/lab.js";
import { mark } from "../runtime/timing.js";
import "./task-meta.js";

/**
 * The test API of one lab file. Its tests and `beforeAll` hooks get the file's `lab`, the run's `env` and the
 * probe `timeout`; after the file, the lab's facts go onto the file's meta (for facts.json) and everything the
 * lab made is removed, passed or failed.
 */
export function labTest(name: string) {
  // Called at the top of a lab file, after its imports.
  mark("lab:imported", name);
  let made: Lab | undefined;
  // Registered first, so it runs after the file's own afterAll hooks; the fixture's cleanup runs after it.
  afterAll(({}, file) => {
    if (made) file.meta.netlabLab = made.facts;
  });
  // Each claim's lesson, labels and observations, when it has ended (passed, failed or skipped).
  afterEach(({ task }) => describeClaim(task));
  return test
    .extend("env", { scope: "file" }, async () => inject("netlab"))
    .extend("lab", { scope: "file" }, async ({ env }, { onCleanup }) => {
      mark("lab:fixture", name);
      const lab = new Lab(name, env);
      made = lab;
      onCleanup(async () => {
        mark("lab:dispose-start", name);
        await lab.dispose();
        mark("lab:dispose-end", name);
      });
      return lab;
    })
    .extend("timeout", { scope: "file" }, async ({ lab }) => lab.timeout);
}
