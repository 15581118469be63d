import {
  afterAll,
  afterEach,
  beforeAll,
  inject,
  test,
  type TestAPI,
  type TestFunction,
  type TestOptions,
} from "vitest";
import { describeClaim } from "./allure-runtime.js";
import type { DeclaredLab } from "../core/lesson/types.js";
import { Lab } from "../lifecycle/lab.js";
import { mark } from "../runtime/timing.js";
import "./task-meta.js";

/** Thrown when a lab file binds a claim its declaration lacks, twice, out of order, or not at all. */
export class ClaimBindingError extends Error {
  override name = "ClaimBindingError";
}

/**
 * The test API of one lab file, from its declaration (or only a name, for a lab that declares no claims).
 * `test.claim(id, body)` binds a declared claim to the test that proves it: the test is named from the
 * declaration (`B8 bridge containers reach each other by IP`) and carries the lab and id on its meta, which
 * is what reports read. Its tests and `beforeAll` hooks get the
 * file's `lab`, the run's `env` and the probe `timeout`; after the file, the lab's facts go onto the file's
 * meta (for facts.json) and everything the lab made is removed, passed or failed.
 */
export function labTest<const Id extends string = never>(declared: DeclaredLab<Id>) {
  const name = declared.lab;
  // Called at the top of a lab file, after its imports.
  mark("lab:imported", name);
  let made: Lab | undefined;
  const bound = new Set<string>();
  // Runs once the file is collected, before any test: a declared claim no test proves would vanish from the reports.
  beforeAll(() => {
    const unbound = declared.claims.map((each) => each.claim).filter((id) => !bound.has(id));
    if (unbound.length > 0)
      throw new ClaimBindingError(`lab "${name}" declares ${unbound.join(", ")} but binds no test to it`);
  });
  // Registered first, so it runs after the file's own afterAll hooks; the fixture's cleanup runs after it.
  afterAll(({}, file) => {
    if (made) file.meta.netlabLab = made.facts;
  });
  // Each claim's lesson, labels and observations, when it has ended (passed, failed or skipped).
  afterEach(({ task }) => describeClaim(task));
  const labTestApi = test
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
  type Context = typeof labTestApi extends TestAPI<infer Extra> ? Extra : never;

  /** Binds the declared claim `id` to its test, named and labelled from the declaration; options as vitest's test takes them. */
  function claim(
    id: Id,
    ...args: [body: TestFunction<Context>] | [options: Omit<TestOptions, "meta">, body: TestFunction<Context>]
  ): void {
    const [options, body] = args.length === 1 ? [{}, args[0]] : args;
    const declaredClaim = declared.claims.find((each) => each.claim === id);
    if (!declaredClaim) throw new ClaimBindingError(`lab "${name}" binds claim "${id}", which it does not declare`);
    if (bound.has(id)) throw new ClaimBindingError(`lab "${name}" binds claim "${id}" twice`);
    // The reports tell claims in the order the tests run: the order the declaration tells them.
    const next = declared.claims[bound.size]?.claim;
    if (id !== next)
      throw new ClaimBindingError(`lab "${name}" binds claim "${id}" where its declaration tells "${next}" next`);
    bound.add(id);
    labTestApi(`${id} ${declaredClaim.title}`, { ...options, meta: { netlabClaim: { lab: name, claim: id } } }, body);
  }

  return Object.assign(labTestApi, { claim });
}
