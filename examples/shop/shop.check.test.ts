import { checkSpecTests } from "../../src/harness/spec-tests.js";

// The shop's spec as vitest tests: each expectation a test case, in the same reports as the labs.
checkSpecTests("examples/shop/netlab.yaml", { up: true, project: `shop-test-${process.pid}` });
