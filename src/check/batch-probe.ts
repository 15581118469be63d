// The check's batches are built and run in probes/, with the single probes; these names keep check's imports.
export { runBatch, type SiteView } from "../probes/probe-batch.js";
export type { ProbeItem as BatchItem } from "../probes/probe-commands.js";
