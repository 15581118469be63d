import "./hermetic.js";
import { GenericContainer } from "testcontainers";
import type { ContainerSpec } from "./container-spec.js";

/**
 * testcontainers' GenericContainer for a ContainerSpec: its own methods where it has them, and the three
 * create options it has no method for (resolvers, ports bound to one host address without waiting on them,
 * an endpoint with aliases and a fixed address at create time) set on its create options.
 */
export class SpecContainer extends GenericContainer {
  constructor(spec: ContainerSpec, startupTimeoutMs: number) {
    super(spec.Image);
    this.withName(spec.name)
      .withLabels(spec.Labels)
      .withCommand(spec.Cmd)
      .withNetworkMode(spec.HostConfig.NetworkMode)
      .withStartupTimeout(startupTimeoutMs)
      // The image is local by construction: a missing one must fail here, never be fetched from a registry.
      .withPullPolicy({ shouldPull: () => false });
    if (spec.Hostname) this.withHostname(spec.Hostname);
    const { Dns, PortBindings } = spec.HostConfig;
    if (Dns) this.hostConfig.Dns = Dns;
    if (PortBindings) this.hostConfig.PortBindings = PortBindings;
    if (spec.ExposedPorts) this.createOpts.ExposedPorts = spec.ExposedPorts;
    if (spec.NetworkingConfig) this.createOpts.NetworkingConfig = spec.NetworkingConfig;
  }
}
