import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. Under CI nothing may be missing. */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  if (process.env.CI === 'true') throw new Error(`CI=true but no browser at ${CHROMIUM}: install Debian's chromium`);
  return `no browser at ${CHROMIUM} (apt-get install chromium)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (WCAG 2.x A and AA, plus best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated over the DevTools protocol: the page's CSP rightly forbids injected inline scripts.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return result.violations;
  });
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}

export function screenshotPath(name: string): string {
  mkdirSync('test-results', { recursive: true });
  return `test-results/${name}.png`;
}

/** The page as it stands: a screenshot named `shot`, no axe violations, no console or page errors. */
export async function assertPageSound(page: Page, problems: readonly string[], shot: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(shot), fullPage: true });
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `${shot}: ${describeViolations(violations)}`);
  assert.deepEqual(problems, [], `${shot}: console or page errors`);
}

/**
 * A fresh 360×800 tab that records console errors and uncaught exceptions. Chromium reports
 * a document's own 4xx status as a console error; `documentStatuses` are the ones expected.
 */
export async function phone(browser: Browser, documentStatuses: readonly number[] = []): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    const ownStatus = message.location().url === page.url() && documentStatuses.some((status) => message.text().includes(`status of ${status}`));
    if (message.type() === 'error' && !ownStatus) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, problems };
}
