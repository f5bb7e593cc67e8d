import type { DummyLayout } from '../domain/dummy-layout.ts';
import type { FlowKind } from '../domain/flow.ts';
import type { PasswordCheck, PasswordPolicySettings, PersonalData } from '../domain/password-policy.ts';
import type { Locale } from './recovery-ports.ts';

// What guards a journey and speaks for it, beside its storage (recovery-ports.ts): the
// CAPTCHA, argon2id, the clave policy, the traffic throttles, and the notices it sends.

export type CaptchaOutcome = { ok: true; challengeHash: Buffer; expiresAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

export interface CaptchaService {
  challenge(): Promise<unknown>;
  verify(payload: unknown): Promise<CaptchaOutcome>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `signal`: the client hung up; still waiting for its turn, the verification is dropped (Abandoned). */
  verify(hash: string, password: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Verifies against a dummy hash, so that a cédula without a clave costs what one with a
   * clave does: under the settings the dummy layout gives its `seed` (secret-keyed, stable
   * per cédula; domain/dummy-layout.ts).
   */
  verifyDummy(password: string, seed: Uint8Array, signal?: AbortSignal): Promise<false>;
  /** The argon2id settings the dummy for this seed runs with (a PHC prefix). */
  dummySettingsFor(seed: Uint8Array): string;
  /** From now on, dummies follow this layout; before the first, every seed gets today's settings. */
  useDummyLayout(layout: DummyLayout): Promise<void>;
  /** Whether a stored hash was made with other settings than today's. */
  needsRehash(hash: string): boolean;
}


/**
 * The §2.4 rules of domain/password-policy.ts, run where the composition root decides:
 * zxcvbn takes 10–20 ms of CPU per clave, which need not block the event loop.
 */
export interface ClavePolicy {
  /**
   * `advice`: a check for the live meter, which nothing depends on. It never queues behind
   * other checks: it waits briefly for a free checker or is refused (Overloaded), so claves
   * being saved are not held back behind it.
   */
  check(password: string, confirmation: string, personal: PersonalData, settings: PasswordPolicySettings, use?: { advice: boolean }): Promise<PasswordCheck>;
}

/** Traffic throttles (per IP, per cédula…); false when the caller must wait. */
export interface Throttle {
  consume(bucket: string, key: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /** Gives back one unit spent by a request that turned out not to count. */
  refund(bucket: string, key: string): Promise<void>;
}

/** What a message says, as data; the renderer turns it into words in the person's language. */
export type Notification =
  | { type: 'link'; kind: FlowKind; link: string; expiresAt: Date; ttlMinutes: number }
  | { type: 'identity_failed'; kind: FlowKind; remaining: number }
  | { type: 'identity_blocked' }
  | { type: 'clave_changed'; generated: boolean; at: Date; disavowLink: string }
  | { type: 'account_unlocked'; at: Date; disavowLink: string; hasClave: boolean }
  /** Desbloquear verified, for an account "No fui yo" locked: only a new clave opens it. */
  | { type: 'unlock_refused_disowned' }
  | { type: 'account_locked'; at: Date; attempts: number };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailRenderer {
  render(notification: Notification, recipient: { firstName: string; locale: Locale }): RenderedMail;
  /** The same notice as a short SMS (security notices only). */
  renderSms(notification: Notification, locale: Locale): string;
}
