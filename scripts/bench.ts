// Times the lab suite against a plain, sequential docker-CLI script checking the same lesson, a few rounds
// each, and prints the medians. Measurement lives here, never in timed assertions inside tests.
import { execa } from "execa";
import { benchMatrix } from "./bench-matrix.js";

const ROUNDS = Number(process.env.NETLAB_BENCH_ROUNDS ?? 3);

async function time(label: string, file: string, args: string[]): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    await execa(file, args, { stdio: "ignore" });
    samples.push(performance.now() - started);
    console.log(`${label} round ${round + 1}: ${(samples.at(-1)! / 1000).toFixed(2)} s`);
  }
  return samples;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const SEED_LABS = ["labs/bridge.lab.test.ts", "labs/none.lab.test.ts", "labs/host.lab.test.ts"];
const vitest = (files: string[]): [string, string[]] => [process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "labs", ...files]];
const seconds = (values: number[]) => `${(median(values) / 1000).toFixed(2)} s`;

// --matrix-only (npm run bench -- --matrix-only, or npm run bench:matrix): only issue 9's check matrix.
if (!process.argv.includes("--matrix-only")) {
  const baseline = await time("docker CLI script (seed lesson)", "bash", ["scripts/cli-baseline.sh"]);
  const seed = await time("seed labs: bridge, none, host (17 claims)", ...vitest(SEED_LABS));
  const all = await time("every lab", ...vitest([]));
  console.log(`median: docker CLI script ${seconds(baseline)}; seed labs ${seconds(seed)}; every lab ${seconds(all)}`);
}
await benchMatrix();
