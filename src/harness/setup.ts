import { mark } from "../runtime/timing.js";
import { expect } from "vitest";
import { outcomeMatchers } from "./outcome-matchers.js";

// The first of ours a worker runs: the worker is up and vitest's runtime is loaded in it.
mark("worker:ready");
expect.extend(outcomeMatchers);
