import { mark } from "../runtime/timing.js";

// Imported first by global setup: vitest and its config are loaded, global setup's own imports come next.
mark("main:ready");
