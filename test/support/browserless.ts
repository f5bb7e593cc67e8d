import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { solveCaptcha } from './captcha.ts';

/**
 * Drives the pages over HTTP as a browser without JavaScript would (plus the CAPTCHA
 * widget's work): keeps cookies, reads the CSRF token from each form.
 */
export class PageClient {
  private cookies = new Map<string, string>();

  /** `userAgent`: sent with every request, as a browser does. */
  constructor(
    private readonly app: FastifyInstance,
    private readonly userAgent?: string,
  ) {}

  private get headers(): Record<string, string> {
    return this.userAgent ? { 'user-agent': this.userAgent } : {};
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies) {
      if (cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: this.headers, cookies: Object.fromEntries(this.cookies) });
    this.remember(response);
    return response;
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'POST',
      url,
      cookies: Object.fromEntries(this.cookies),
      headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    this.remember(response);
    return response;
  }

  /** GETs a form page and posts it back with its CSRF token and the given fields. */
  async submit(pageUrl: string, fields: Record<string, string>, action = pageUrl): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    return this.post(action, { _csrf: csrfToken(page.body), ...fields });
  }

  /** What the ALTCHA widget puts in the form after solving the challenge. */
  async captcha(): Promise<string> {
    const challenge = await this.get('/captcha/desafio');
    return solveCaptcha(challenge.json());
  }
}

export function csrfToken(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
}

/** The text a person reads: tags stripped, entities of quotes and ampersands decoded. */
export function visibleText(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}
