import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Dockerode from "dockerode";
import createDebug from "debug";
import { LABEL } from "../core/labels.js";

const debug = createDebug("netlab:engine");

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
`;

export const PROBE_REPOSITORY = "netlab/probe";

/** What the image carries (and every container started from it inherits); part of the tag's hash. */
const IMAGE_LABELS = { [LABEL.image]: "probe" };

export class ImageError extends Error {
  override name = "ImageError";
}

export interface ProbeImage {
  tag: string;
  built: boolean;
  source: "netlab-busybox" | "configured";
}

async function exists(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

async function build(docker: Dockerode, tag: string, busyboxPath: string): Promise<void> {
  const context = mkdtempSync(join(tmpdir(), "netlab-probe-"));
  try {
    copyFileSync(busyboxPath, join(context, "busybox"));
    writeFileSync(join(context, "Dockerfile"), DOCKERFILE);
    const stream = await docker.buildImage(
      { context, src: ["Dockerfile", "busybox"] },
      { t: tag, labels: IMAGE_LABELS, rm: true, forcerm: true },
    );
    const messages = await new Promise<Array<{ error?: string; stream?: string }>>((resolve, reject) =>
      docker.modem.followProgress(stream, (error, output) => (error ? reject(error) : resolve(output))),
    );
    const failure = messages.find((message) => message.error);
    if (failure) {
      throw new ImageError(
        `building the probe image from ${busyboxPath} failed: ${failure.error?.trim()} (is it a static busybox? install Debian's busybox-static, or set NETLAB_IMAGE)`,
      );
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/**
 * The image every probe runs in: the user's NETLAB_IMAGE when set (never pulled), otherwise a scratch image
 * holding the host's static busybox, built once per busybox binary and then reused.
 */
export async function ensureProbeImage(
  docker: Dockerode,
  options: { configured?: string; busyboxPath?: string },
): Promise<ProbeImage> {
  if (options.configured) {
    if (!(await exists(docker, options.configured))) {
      throw new ImageError(
        `image "${options.configured}" (NETLAB_IMAGE) is not on this engine and netlab never pulls: load it with "docker pull" or "docker load" first`,
      );
    }
    return { tag: options.configured, built: false, source: "configured" };
  }
  const busyboxPath = options.busyboxPath ?? "/bin/busybox";
  if (!existsSync(busyboxPath)) {
    throw new ImageError(
      `no busybox at ${busyboxPath} to build the probe image from: install Debian's busybox-static (npm run provision does)`,
    );
  }
  const digest = createHash("sha256")
    .update(DOCKERFILE)
    .update(JSON.stringify(IMAGE_LABELS))
    .update(readFileSync(busyboxPath))
    .digest("hex");
  const tag = `${PROBE_REPOSITORY}:${digest.slice(0, 12)}`;
  const built = !(await exists(docker, tag));
  if (built) {
    debug("Building probe image %s…", tag);
    await build(docker, tag, busyboxPath);
    debug("Built probe image %s", tag);
  }
  // A stable name for docker-compose.yml and for learners typing commands by hand.
  await docker.getImage(tag).tag({ repo: PROBE_REPOSITORY, tag: "latest" });
  return { tag, built, source: "netlab-busybox" };
}
