#!/usr/bin/env node
// The `netlab` command (npx netlab, or after npm install -g): netlab's TypeScript runs through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
