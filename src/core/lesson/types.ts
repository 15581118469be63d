/** A question a learner answers before seeing what the engine does: numbered choices, one of them right. */
export interface Prediction {
  question: string;
  choices: string[];
  /** Index into `choices` of what the lesson (and, where the claim holds, the engine) says. */
  answer: number;
}

/** What one claim teaches. */
export interface Lesson {
  /** The claim id, as the lab's test name starts (`B8`). */
  claim: string;
  /** The lab file it belongs to (`bridge` for labs/bridge.lab.test.ts). */
  lab: string;
  /** Two or three sentences in a learner's words: what is going on. */
  concept: string;
  /** Why it behaves so: the mechanism underneath. */
  why: string;
  /** The Docker documentation page it comes from (text only; netlab never fetches it). */
  docs: string;
  /** The command a learner types to see it by hand. */
  command: string;
  /** For a claim that can be skipped: what would make it run. */
  toRun?: string;
  /** The tour's question for this claim. */
  predict?: Prediction;
}
