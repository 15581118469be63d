/** A question a learner answers before seeing what the engine does: numbered choices, one of them right. */
export interface Prediction {
  question: string;
  choices: string[];
  /** Index into `choices` of what the lesson (and, where the claim holds, the engine) says. */
  answer: number;
}

/** A claim as its lab declares it: the id its test is bound by, and what it proves in words. */
export interface DeclaredClaim<Id extends string = string> {
  /** The claim id (`B8`): the start of its test's name and its key in every report. */
  claim: Id;
  /** The rest of its test's name: the claim in words. */
  title: string;
}

/** A lab as declared: its name, the line its describe reads, and its claims in the order they are told. */
export interface DeclaredLab<Id extends string = string> {
  /** The lab's name (`bridge` for labs/bridge.lab.test.ts). */
  lab: string;
  /** The lab's describe: the lesson's one line (`bridge: the default network is the host's docker0`). */
  heading: string;
  claims: ReadonlyArray<DeclaredClaim<Id>>;
}

/** What one claim teaches. */
export interface Lesson extends DeclaredClaim {
  /** The lab it belongs to (`bridge` for labs/bridge.lab.test.ts). */
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

/** A lab of the lesson: its declaration, each claim with its lesson. */
export interface LabLessons<Id extends string = string> extends DeclaredLab<Id> {
  claims: ReadonlyArray<Lesson & DeclaredClaim<Id>>;
}
