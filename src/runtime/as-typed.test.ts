import { describe, expect, it } from "vitest";
import { engineEventsOf } from "./as-typed.js";

describe("which locks a typed docker line needs", () => {
  it("network create and remove are churn; create also takes a subnet from the pools", () => {
    expect(engineEventsOf("docker network create p7-front")).toEqual({
      churn: true,
      pools: true,
      defaultBridge: false,
    });
    expect(engineEventsOf("docker network rm p7-front p7-back")).toEqual({
      churn: true,
      pools: false,
      defaultBridge: false,
    });
    expect(engineEventsOf("docker-compose -p shop up -d")).toEqual({ churn: true, pools: true, defaultBridge: true });
  });

  it("container starts and removals may move a default-bridge address; connect, exec and inspect need nothing", () => {
    expect(engineEventsOf("docker run -d --name p1-web netlab/probe:latest httpd -f -p 8080")).toEqual({
      churn: false,
      pools: false,
      defaultBridge: true,
    });
    expect(engineEventsOf("docker rm -f p1-web")).toEqual({ churn: false, pools: false, defaultBridge: true });
    expect(engineEventsOf("docker network connect p13-back p13-web")).toEqual({
      churn: false,
      pools: false,
      defaultBridge: false,
    });
    expect(engineEventsOf("docker exec p1-web ip -o link show eth0")).toEqual({
      churn: false,
      pools: false,
      defaultBridge: false,
    });
    expect(engineEventsOf("ip netns add red")).toEqual({ churn: false, pools: false, defaultBridge: false });
    expect(engineEventsOf("docker network connect bridge p10-web")).toEqual({
      churn: false,
      pools: false,
      defaultBridge: true,
    });
  });

  it("sees the command after docker's global options", () => {
    expect(engineEventsOf("docker -H unix:///var/run/docker.sock network create x")).toEqual({
      churn: true,
      pools: true,
      defaultBridge: false,
    });
    expect(engineEventsOf("docker --debug run -d --name a netlab/probe:latest sleep 1d")).toEqual({
      churn: false,
      pools: false,
      defaultBridge: true,
    });
    expect(engineEventsOf("docker --context default network rm x")).toEqual({
      churn: true,
      pools: false,
      defaultBridge: false,
    });
  });
});
