// The Web Workers a page starts and stops, counted by a wrapper around Worker
// installed before any of the page's scripts run; and the page's defects
// (uncaught errors, console errors, failed requests), collected as they come.
import type { Page } from 'playwright-core';

export interface WorkerCounts {
  created: number;
  terminated: number;
}

/** Installs the counting wrapper for every document the page loads; read it with {@link workerCounts}. */
export async function countWorkers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const counts = { created: 0, terminated: 0 };
    (globalThis as { workerCounts?: typeof counts }).workerCounts = counts;
    const Original = Worker;
    globalThis.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        counts.created++;
      }
      terminate(): void {
        counts.terminated++;
        super.terminate();
      }
    };
  });
}

/** The counts so far. */
export function workerCounts(page: Page): Promise<WorkerCounts> {
  return page.evaluate(() => ({ ...(globalThis as unknown as { workerCounts: WorkerCounts }).workerCounts }));
}

/** Collects into `errors` every uncaught error, console error and failed (or 4xx/5xx) request of the page. */
export function collectDefects(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  // A console error (a 404 for a favicon, say) is a defect of the page too.
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('requestfailed', (request) => errors.push(`${request.url()} failed`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.url()}: HTTP ${response.status()}`);
  });
}
