import type { Page } from 'playwright-core';

/** Keyboard-only driving of pages, as a person without a mouse (or with a screen reader) would. */
export interface Focused {
  tag: string;
  id: string;
  name: string;
  type: string;
  value: string;
  checked: boolean;
  text: string;
}

/** What has keyboard focus, looking inside shadow roots (the ALTCHA widget). */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const input = el as HTMLInputElement | null;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      name: input?.name ?? '',
      type: input?.type ?? '',
      value: input?.value ?? '',
      checked: input?.checked ?? false,
      text: el?.textContent?.trim() ?? '',
    };
  });
}

/** Presses Tab until the focused element matches; fails after `max` presses. */
export async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, max = 40): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (match(now)) return now;
  }
  throw new Error(`Tab never reached ${what}`);
}

export const byId = (id: string) => (f: Focused) => f.id === id;
