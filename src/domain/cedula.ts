/**
 * The Ecuadorian cédula: 10 digits, a province (01–24, or 30 for people registered
 * abroad) and a modulo-10 check digit. The third digit is deliberately not checked:
 * real cédulas with a third digit of 6 exist.
 */
export type Cedula = string & { readonly __brand: 'Cedula' };

export type CedulaProblem = 'empty' | 'length' | 'digits' | 'province' | 'check-digit';

export type CedulaCheck = { ok: true; cedula: Cedula } | { ok: false; problem: CedulaProblem };

const COEFFICIENTS = [2, 1, 2, 1, 2, 1, 2, 1, 2] as const;

/** The check digit for the first nine digits of a cédula. */
export function cedulaCheckDigit(firstNine: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    const product = Number(firstNine[i]) * COEFFICIENTS[i]!;
    sum += product >= 10 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

function isKnownProvince(code: number): boolean {
  return (code >= 1 && code <= 24) || code === 30;
}

export function checkCedula(input: string): CedulaCheck {
  if (input.length === 0) return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(input)) return { ok: false, problem: 'digits' };
  if (input.length !== 10) return { ok: false, problem: 'length' };
  if (!isKnownProvince(Number(input.slice(0, 2)))) return { ok: false, problem: 'province' };
  if (cedulaCheckDigit(input.slice(0, 9)) !== Number(input[9])) {
    return { ok: false, problem: 'check-digit' };
  }
  return { ok: true, cedula: input as Cedula };
}

export function isValidCedula(input: string): input is Cedula {
  return checkCedula(input).ok;
}

/**
 * Tolerates what people type between the digits (spaces, dots, dashes of any kind, as a
 * word processor turns them) but nothing else.
 */
export function normaliseCedulaInput(raw: string): string {
  return raw.replace(/[\s.\p{Pd}]/gu, '');
}

/** `1710034065` → `17******65`: enough for a person to recognise, useless to an attacker. */
export function maskCedula(cedula: string): string {
  if (cedula.length < 4) return '*'.repeat(cedula.length);
  return `${cedula.slice(0, 2)}${'*'.repeat(cedula.length - 4)}${cedula.slice(-2)}`;
}

const TEN_DIGITS = /(?<!\d)(\d{2})\d{6}(\d{2})(?!\d)/g;

/** Masks every 10-digit run in free text (log lines, messages). */
export function maskCedulasInText(text: string): string {
  return text.replace(TEN_DIGITS, '$1******$2');
}
