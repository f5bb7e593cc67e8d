import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';

/** Does what the ALTCHA widget does in a browser: solves the challenge and encodes the payload. */
export async function solveCaptcha(challenge: unknown): Promise<string> {
  const solution = await solveChallenge({ challenge: challenge as Challenge, deriveKey });
  if (!solution) throw new Error('could not solve the CAPTCHA challenge');
  const { codeChallenge: _unused, ...signed } = challenge as Challenge;
  return Buffer.from(JSON.stringify({ challenge: signed, solution })).toString('base64');
}
