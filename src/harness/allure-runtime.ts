import * as allure from "allure-js-commons/sync";
import type { RunnerTask as Task } from "vitest";
import type { RecordedProbe } from "../core/check-facts.js";
import {
  claimDescription,
  claimLabels,
  observationAttachments,
  probeStep,
  type AllureAttachmentContent,
} from "../report/allure-model.js";
import { labOfFile, shortName } from "../core/names.js";

/**
 * What the labs send to allure-vitest while they run, from the one Allure model (src/report/allure-model.ts):
 * each probe a step (with its command and outcome) as it is checked, each claim's lesson, labels and
 * observations when it ends. (Each lab's topology and matrix are added by NetlabAllureReporter, once the
 * lab's facts are complete.) Without allure-vitest's setup (unit tests) every call here is a no-op.
 */

/**
 * A probe as an Allure step around `assert`, the check's assertion on it: the step fails exactly when the
 * assertion does, and the assertion's error goes on as before.
 */
export function probeStepAround<T>(probe: RecordedProbe, lab: string, assert: () => T): T {
  const step = probeStep({ ...probe }, (from) => shortName(from, lab));
  return allure.step(step.name, (context) => {
    for (const parameter of step.parameters) context.parameter(parameter.name, parameter.value);
    return assert();
  });
}

function attach(attachments: AllureAttachmentContent[]): void {
  for (const attachment of attachments)
    allure.attachment(attachment.name, attachment.content, {
      contentType: attachment.contentType,
      fileExtension: attachment.fileExtension,
    });
}

/** When a claim ends (afterEach): its labels, its lesson (with what makes a skip run) and what it observed. */
export function describeClaim(task: Pick<Task, "name" | "meta" | "result"> & { file?: { name: string } }): void {
  const lab = task.meta.netlabClaim?.lab ?? labOfFile(task.file?.name ?? "");
  const facts = task.meta.netlabCheck;
  const claim = task.meta.netlabClaim?.claim ?? facts?.claim ?? task.name;
  const state = task.result?.state === "skip" ? "skipped" : task.result?.state === "fail" ? "failed" : "passed";
  allure.labels(...claimLabels(lab, claim, task.name));
  allure.description(
    claimDescription(
      {
        claim,
        state,
        skipReason: (task.result as { note?: string } | undefined)?.note,
        assumptions: facts?.assumptions ?? [],
      },
      { lab, file: task.file?.name ?? "" },
    ),
  );
  if (facts) attach(observationAttachments(facts.observed));
}
