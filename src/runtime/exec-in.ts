import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";
import type { ExecOutput } from "../core/outcome.js";

/**
 * Runs `argv` in a container through the engine's exec API and waits for its end and exit code: the one way
 * netlab execs in a container it did not start with testcontainers (check's sidecars, a node engine's containers).
 */
export async function execIn(docker: Dockerode, id: string, argv: string[]): Promise<ExecOutput> {
  const exec = await docker.getContainer(id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on("data", (chunk: Buffer) => chunks.out.push(chunk));
  stderr.on("data", (chunk: Buffer) => chunks.err.push(chunk));
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", reject);
  });
  const { ExitCode } = await exec.inspect();
  return {
    exitCode: ExitCode ?? -1,
    stdout: Buffer.concat(chunks.out).toString("utf8"),
    stderr: Buffer.concat(chunks.err).toString("utf8"),
  };
}
