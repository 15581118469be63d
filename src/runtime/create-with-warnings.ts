import "./hermetic.js";
import type Dockerode from "dockerode";
import { getContainerRuntimeClient, type StartedTestContainer } from "testcontainers";
import type { ContainerSpec } from "./container-spec.js";

/** What a lab container handle needs of testcontainers' started container. */
export type StartedContainer = Pick<StartedTestContainer, "getId" | "exec">;

/**
 * `docker create` through the raw API, keeping the warnings the engine answers with (testcontainers and
 * dockerode drop them) and its refusal as docker-modem reports it: for claims about what the engine says.
 */
export function createWithWarnings(
  docker: Dockerode,
  spec: ContainerSpec,
): Promise<{ id: string; warnings: string[] }> {
  const { name, ...body } = spec;
  return new Promise((resolve, reject) =>
    docker.modem.dial(
      {
        path: "/containers/create?",
        method: "POST",
        options: { _query: { name }, _body: body },
        statusCodes: { 201: true, 400: "bad parameter", 404: "no such image", 409: "conflict", 500: "server error" },
      },
      (error: unknown, data: unknown) => {
        if (error) return reject(error);
        const answer = data as { Id: string; Warnings: string[] | null };
        resolve({ id: answer.Id, warnings: answer.Warnings ?? [] });
      },
    ),
  );
}

/**
 * A container testcontainers did not start (created raw, or by compose), driven through testcontainers'
 * own container client: the same exec a started GenericContainer uses.
 */
export async function existingContainer(id: string): Promise<StartedContainer> {
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(id);
  return {
    getId: () => id,
    exec: (command, options) =>
      client.container.exec(container, Array.isArray(command) ? command : command.split(" "), options),
  };
}
