import { execa } from "execa";
import { LABEL } from "../core/labels.js";
import { docker } from "./netlab-cli.js";

/** What the watch saw: enough to show it looked (containers, lab listeners), and anything it must not see. */
export interface ExposureReport {
  containersInspected: number;
  labListeners: string[];
  violations: string[];
}

const LAB_PROCESSES = /users:\(\("(docker-proxy|httpd|busybox|nc)"/;
const ALL_INTERFACES = /^(0\.0\.0\.0|\*|\[::\]):\d+$/;

/** A listening socket of a lab process, from `ss -ltnpH`: its local address and the line, for the record. */
export function labListeners(ssOutput: string): Array<{ local: string; line: string }> {
  return ssOutput
    .split("\n")
    .filter((line) => LAB_PROCESSES.test(line))
    .map((line) => ({ local: line.trim().split(/\s+/)[3] ?? "", line: line.trim() }));
}

export function isAllInterfaces(local: string): boolean {
  return ALL_INTERFACES.test(local);
}

/**
 * Polls, while runs go on, every container netlab starts (no --privileged, no added capability, no Docker
 * socket mounted) and the host's listening sockets (no lab server on all interfaces).
 */
export function watchExposure(intervalMs = 250): { stop(): Promise<ExposureReport> } {
  const seen = new Set<string>();
  const report: ExposureReport = { containersInspected: 0, labListeners: [], violations: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const containers = await docker.listContainers({ filters: { label: [`${LABEL.managed}=true`] } }).catch(() => []);
      for (const summary of containers.filter((container) => !seen.has(container.Id))) {
        seen.add(summary.Id);
        const info = await docker
          .getContainer(summary.Id)
          .inspect()
          .catch(() => undefined);
        if (!info) continue;
        report.containersInspected += 1;
        const name = info.Name.replace(/^\//, "");
        if (info.HostConfig.Privileged) report.violations.push(`${name} runs --privileged`);
        if (info.HostConfig.CapAdd?.length)
          report.violations.push(`${name} adds capabilities ${info.HostConfig.CapAdd.join(", ")}`);
        for (const mount of info.Mounts ?? []) {
          if (/docker\.sock/.test(mount.Source ?? ""))
            report.violations.push(`${name} mounts the Docker socket ${mount.Source}`);
        }
      }
      const ss = await execa("ss", ["-ltnpH"], { reject: false });
      for (const { local, line } of labListeners(String(ss.stdout))) {
        if (!report.labListeners.includes(local)) report.labListeners.push(local);
        if (isAllInterfaces(local)) report.violations.push(`a lab server listens on all interfaces: ${line}`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      report.violations = [...new Set(report.violations)];
      return report;
    },
  };
}
