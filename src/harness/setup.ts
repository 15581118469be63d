import { expect } from "vitest";
import { outcomeMatchers } from "./outcome-matchers.js";

expect.extend(outcomeMatchers);
