// Times the lab suite against a plain, sequential docker-CLI script checking the same lesson, a few rounds
// each, and prints the medians. Measurement lives here, never in timed assertions inside tests.
import { execa } from "execa";

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

const baseline = await time("docker CLI script", "bash", ["scripts/cli-baseline.sh"]);
const labs = await time("npm run lab (vitest, 3 labs)", process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "labs"]);
console.log(`median: docker CLI ${(median(baseline) / 1000).toFixed(2)} s, labs ${(median(labs) / 1000).toFixed(2)} s`);
