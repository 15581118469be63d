import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOwnerAlive } from "./owner.js";

/**
 * Compose projects a netlab process has brought up (the compose lab, `check --up`): compose labels their
 * containers and networks with its own labels only, so netlab keeps a note per project, `<project>` holding the
 * owner `<host>:<pid>`, in the temp folder beside its locks. A note whose owner is gone says nothing.
 */
const DIR = join(tmpdir(), "netlab-compose-projects");

/** Compose project names are `[a-z0-9][a-z0-9_-]*`: safe as file names. */
const noteOf = (project: string, dir: string) => join(dir, encodeURIComponent(project));

export function noteComposeProject(project: string, owner: string, dir = DIR): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(noteOf(project, dir), owner);
}

export function forgetComposeProject(project: string, dir = DIR): void {
  rmSync(noteOf(project, dir), { force: true });
}

/** The projects a live netlab process brought up and has not taken down. */
export function liveComposeProjects(dir = DIR, alive: (owner: string) => boolean = isOwnerAlive): Set<string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return new Set();
  }
  const live = new Set<string>();
  for (const name of names) {
    let owner: string;
    try {
      owner = readFileSync(join(dir, name), "utf8").trim();
    } catch {
      continue; // forgotten meanwhile
    }
    if (alive(owner)) live.add(decodeURIComponent(name));
  }
  return live;
}
