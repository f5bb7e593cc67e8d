/** HTTP against a real `clave serve` process, timed (test/security/outages-*.test.ts). */

export interface Answer {
  status: number;
  ms: number;
  text: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

export async function http(base: string, method: 'GET' | 'POST', path: string, options: { json?: object; form?: Record<string, string>; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'accept-language': 'es', ...options.headers };
  let body: string | undefined;
  if (options.json) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const started = performance.now();
  // A hang fails the test (at 15 s unless told) instead of stalling it; the assertions are on `ms`.
  const timeoutMs = options.timeoutMs ?? 15_000;
  let response: Response;
  try {
    response = await fetch(base + path, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Error(`${method} ${path}: no answer within ${timeoutMs} ms (${String(error)})`);
  }
  const text = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, ms, text, headers: response.headers, json: () => JSON.parse(text) };
}

/** Keeps cookies across requests, as a browser would, for the page forms (CSRF). */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly base: string) {}

  private remember(answer: Answer): Answer {
    for (const line of answer.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index).trim(), pair!.slice(index + 1).trim());
    }
    return answer;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } : {};
  }

  async get(path: string): Promise<Answer> {
    return this.remember(await http(this.base, 'GET', path, { headers: this.cookieHeader() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.remember(await http(this.base, 'POST', path, { form, headers: this.cookieHeader() }));
  }
}
