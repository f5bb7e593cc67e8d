import type { FastifyRequest } from 'fastify';
import type { Limits } from '../../../config.ts';
import { policyFigures, type FieldError } from '../../journey.ts';

// What the new-clave fields (views/new-clave-fields.njk) need, on Recuperar's step 4 and
// in Mi cuenta: each violation under its field and in the summary, what was typed, the
// policy's figures for the checklist.

/** Longest value sent back into a field; the policy refuses anything longer anyway. */
const MAX_ECHO = 256;

/** Where each violation is shown: a wrong current clave (Mi cuenta), a confirmation that differs, the rest under the new clave. */
const fieldOf = (code: string) => (code === 'CLV-041' || code === 'currentMissing' ? 'current' : code === 'CLV-035' || code === 'confirmationMissing' ? 'confirmation' : 'password');

const isEmpty = (value: unknown) => typeof value !== 'string' || value === '';

/**
 * An empty field is told as the one thing to do ("Escriba su nueva clave"), not as the
 * rules an empty clave breaks (too short, too little variety, too easy to guess).
 */
function asShown(violations: readonly string[], typed: { password?: unknown; confirmation?: unknown }): string[] {
  const shown = violations.map((code) => {
    if (fieldOf(code) === 'password' && isEmpty(typed.password)) return 'passwordMissing';
    if (code === 'CLV-035' && isEmpty(typed.confirmation)) return 'confirmationMissing';
    return code;
  });
  return [...new Set(shown)];
}

/** Mi cuenta's wrong current clave, with how many failures in a row are left before the lock. */
function wrongCurrent(request: FastifyRequest, triesLeft?: number): string {
  const wrong = request.t('account.wrongCurrent');
  if (triesLeft === undefined) return wrong;
  return `${wrong}. ${request.t(triesLeft === 1 ? 'account.oneTryLeft' : 'account.triesLeft', { count: triesLeft })}`;
}

export function claveForm(request: FastifyRequest, limits: Limits, found: readonly string[], typed: { password?: unknown; confirmation?: unknown } = {}, triesLeft?: number) {
  const text = (code: string) => {
    if (code === 'CLV-041') return wrongCurrent(request, triesLeft);
    return code === 'currentMissing' ? request.t('account.currentMissing') : request.t(`newPassword.violations.${code}`, policyFigures(limits));
  };
  const violations = asShown(found, typed);
  const errors: FieldError[] = violations.map((code) => ({ href: `#${fieldOf(code)}`, text: text(code) }));
  const fieldErrors: Record<string, string> = {};
  for (const code of violations) fieldErrors[fieldOf(code)] = [fieldErrors[fieldOf(code)], text(code)].filter(Boolean).join('. ');
  const echo = (value: unknown) => (typeof value === 'string' ? value.slice(0, MAX_ECHO) : '');
  return {
    errors,
    fieldErrors,
    hasErrors: errors.length > 0,
    values: { password: echo(typed.password), confirmation: echo(typed.confirmation) },
    minLength: limits.passwordMinLength,
    classesBelow: limits.passwordClassesBelow,
  };
}
