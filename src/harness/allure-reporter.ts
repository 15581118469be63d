import type { Reporter, TestModule, TestSpecification, Vitest } from "vitest/node";
import type { AllureLabReporter, AllureReporterOptions } from "./allure-lab-reporter.js";

/**
 * The labs' allure-results (AllureLabReporter: allure-vitest's reporter and what netlab adds to it), loaded
 * only when the run has the labs project: allure-vitest, the report writers and their schemas stay out of the
 * main vitest process of a run of unit tests alone, which stays small.
 */
export default class NetlabAllureReporter implements Reporter {
  private lab?: AllureLabReporter;
  constructor(private readonly options: AllureReporterOptions) {}

  async onInit(vitest: Vitest): Promise<void> {
    const labProject = this.options.labProject ?? "labs";
    // allure-vitest registers its setup file and runner with every project here, before any test is collected.
    if (!vitest.projects.some((project) => project.name === labProject)) return;
    const { AllureLabReporter } = await import("./allure-lab-reporter.js");
    this.lab = new AllureLabReporter(this.options);
    this.lab.onInit(vitest);
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.lab?.onTestRunStart(specifications);
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    await this.lab?.onTestRunEnd(modules);
  }
}
