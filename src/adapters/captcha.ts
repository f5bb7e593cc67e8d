import { createHash, createHmac, randomInt } from 'node:crypto';
import { createChallenge, verifySolution, type Challenge, type Solution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { Clock } from '../services/recovery-ports.ts';
import type { CaptchaOutcome, CaptchaService } from '../services/journey-ports.ts';

export interface CaptchaOptions {
  secret: string;
  ttlMs: number;
  /** The largest counter a browser may have to try: the proof-of-work difficulty. */
  maxNumber: number;
  clock: Clock;
}

const MAX_PAYLOAD_CHARS = 8192;

/** Separate keys for separate purposes, all derived from the server secret. */
function subkey(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(`altcha:${purpose}`).digest('hex');
}

function decodePayload(payload: unknown): { challenge: Challenge; solution: Solution } | undefined {
  if (typeof payload !== 'string' || payload.length === 0 || payload.length > MAX_PAYLOAD_CHARS) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { challenge?: Challenge; solution?: Solution };
    if (typeof decoded?.challenge?.parameters !== 'object' || decoded.challenge.parameters === null) return undefined;
    if (typeof decoded.solution !== 'object' || decoded.solution === null) return undefined;
    return { challenge: decoded.challenge, solution: decoded.solution };
  } catch {
    return undefined;
  }
}

/**
 * ALTCHA proof-of-work, self-hosted: challenges are signed with keys derived from the
 * server secret and expire; the caller makes each accepted one single-use.
 */
export function createAltchaCaptcha(options: CaptchaOptions): CaptchaService {
  const signatureSecret = subkey(options.secret, 'signature');
  const keySecret = subkey(options.secret, 'key');
  return {
    challenge: () =>
      createChallenge({
        algorithm: 'SHA-256',
        cost: 1,
        counter: randomInt(Math.floor(options.maxNumber / 10), options.maxNumber),
        deriveKey,
        expiresAt: new Date(options.clock().getTime() + options.ttlMs),
        hmacSignatureSecret: signatureSecret,
        hmacKeySignatureSecret: keySecret,
      }),
    async verify(payload): Promise<CaptchaOutcome> {
      const decoded = decodePayload(payload);
      if (!decoded) return { ok: false, reason: 'invalid' };
      const expiresAtSeconds = Number(decoded.challenge.parameters.expiresAt);
      if (!Number.isFinite(expiresAtSeconds) || expiresAtSeconds * 1000 <= options.clock().getTime()) return { ok: false, reason: 'expired' };
      const result = await verifySolution({
        challenge: decoded.challenge,
        solution: decoded.solution,
        deriveKey,
        hmacSignatureSecret: signatureSecret,
        hmacKeySignatureSecret: keySecret,
      }).catch(() => undefined);
      if (result?.expired) return { ok: false, reason: 'expired' };
      if (!result?.verified) return { ok: false, reason: 'invalid' };
      const challengeHash = createHash('sha256').update(String(decoded.challenge.signature)).digest();
      return { ok: true, challengeHash, expiresAt: new Date(expiresAtSeconds * 1000) };
    },
  };
}
