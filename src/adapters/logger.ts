import { pino, type Logger } from 'pino';
import { maskCedulasInText } from '../domain/cedula.ts';

// Fields that may carry a secret are dropped wherever they appear in a log object.
const SECRET_PATHS = [
  'password', 'confirmation', 'token', 'resetToken', 'answers', 'secret', 'authorization', 'cookie',
  '*.password', '*.confirmation', '*.token', '*.resetToken', '*.answers', '*.secret',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
];

/** Strips the query string: links carry tokens there. */
export function loggableUrl(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : `${url.slice(0, query)}?…`;
}

/**
 * JSON logs (pino). Every line passes through the cédula mask on its way out, so a
 * cédula in a URL, a message or an error is never written whole.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: { paths: SECRET_PATHS, remove: true },
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: loggableUrl(req.url), id: req.id }),
      },
      hooks: { streamWrite: maskCedulasInText },
    },
    destination ?? process.stdout,
  );
}
