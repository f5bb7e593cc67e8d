import { parentPort } from 'node:worker_threads';
import { checkPassword, noPersonalData } from '../../domain/password-policy.ts';
import type { PolicyReady, PolicyRequest, PolicyReply } from './messages.ts';

// zxcvbn builds its dictionaries and the matchers their index on first use (~0.3 s, ~35 MB,
// over a second on a slow machine): pay that at start, not on a person's clave, and say
// when it is done, so that the deadline of a check does not count it.
checkPassword('arranque', 'arranque', noPersonalData(''), { minLength: 8, classesBelow: 15 });
parentPort!.postMessage({ ready: true } satisfies PolicyReady);

/** Checks one clave per message, in order; a rule that throws answers with its message. */
parentPort!.on('message', (request: PolicyRequest) => {
  let reply: PolicyReply;
  try {
    reply = { id: request.id, check: checkPassword(request.password, request.confirmation, request.personal, request.settings) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
