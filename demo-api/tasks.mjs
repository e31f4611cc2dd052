// Report tasks and their task-v1 documents: RUNNING with a SELF link while the report is still being
// generated or for the scenario's number of answers, then FINISHED with a DOWN link; or one of the broken
// documents a scenario asks for.

import { randomUUID } from 'node:crypto';

export const TASK_TYPE = 'application/vnd.eduserv.iam.reports.task-v1+json';
// The reference gives this type on the DOWN link even though the download itself is application/gzip.
const REPORT_TYPE = 'application/vnd.eduserv.iam.reports.report-v1+json';
// Tasks are small, but a long-lived `make serve` must not grow without bound.
const MAX_TASKS = 10_000;
// A rough gen-report speed on a small machine, only to make percentComplete rise while a report generates.
const ROWS_PER_MS = 50;

export class TaskStore {
  #tasks = new Map();

  // `owner` is what must match when the task is looked up again: scenario string, API name and org.
  // `generation` is the reports cache's promise for the report: the task cannot finish before it settles.
  create(owner, report, generation) {
    const task = {
      id: randomUUID(), owner, report, answers: 0, percent: 0, finished: false, generated: false, startedAt: Date.now(),
    };
    // A failed generation still finishes the task: the download then says what went wrong.
    const settle = () => { task.generated = true; };
    generation.then(settle, settle);
    this.#tasks.set(task.id, task);
    if (this.#tasks.size > MAX_TASKS) this.#tasks.delete(this.#tasks.keys().next().value);
    return task;
  }

  // The task `id` if `owner` made it; a task is invisible to other keys and other scenarios.
  find(id, owner) {
    const task = this.#tasks.get(id);
    if (!task) return null;
    const same = task.owner.scenarioKey === owner.scenarioKey
      && task.owner.apiName === owner.apiName
      && task.owner.org === owner.org;
    return same ? task : null;
  }
}

// The next document of `task`; `apiUrl` is the absolute `{root}/{apiName}` its links are built on.
export function nextTaskDocument(task, scenario, apiUrl) {
  const answer = task.answers++;
  const running = scenario.neverFinish || answer < scenario.running || !task.generated;
  let percentComplete;
  let links;
  if (running) {
    let estimate;
    if (scenario.neverFinish) estimate = 5 * (answer + 1);
    else if (answer < scenario.running) estimate = Math.floor((100 * (answer + 1)) / (scenario.running + 1));
    else estimate = Math.floor((100 * (Date.now() - task.startedAt) * ROWS_PER_MS) / Math.max(1, task.report.rows));
    task.percent = Math.max(task.percent, Math.min(99, estimate));
    percentComplete = task.percent;
    links = [{ href: `${apiUrl}/rawtask/${task.id}`, rel: 'SELF', type: TASK_TYPE, method: 'get' }];
  } else {
    task.finished = true;
    percentComplete = 100;
    links = scenario.taskBad ? [] : [{ href: `${apiUrl}/rawreport/${task.id}`, rel: 'DOWN', type: REPORT_TYPE, method: 'get' }];
  }
  let status = running ? 'RUNNING' : 'FINISHED';
  if (scenario.taskUnknown) status = 'EXPLODED';
  return { percentComplete, status, links, id: task.id };
}
