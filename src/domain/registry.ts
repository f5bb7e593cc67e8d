import { checkCedula, type CedulaProblem } from './cedula.ts';

/** One affiliate as the institute's registry knows them (DESIGN.md §5). */
export interface AffiliateRecord {
  cedula: string;
  nombres: string;
  apellidos: string;
  fechaNacimiento: string;
  correo: string | null;
  celular: string | null;
  datosVerificados: boolean;
}

/** One employment period; `fechaFin` null means the job is current. */
export interface EmploymentRecord {
  cedula: string;
  rucEmpleador: string;
  empleador: string;
  fechaInicio: string;
  fechaFin: string | null;
}

export const AFFILIATE_COLUMNS = ['cedula', 'nombres', 'apellidos', 'fecha_nacimiento', 'correo', 'celular', 'datos_verificados'] as const;
export const EMPLOYMENT_COLUMNS = ['cedula', 'ruc_empleador', 'empleador', 'fecha_inicio', 'fecha_fin'] as const;

export type RowResult<T> = { ok: true; record: T } | { ok: false; reason: string };

const CEDULA_REASONS: Record<CedulaProblem, string> = {
  empty: 'cédula vacía',
  length: 'la cédula debe tener 10 dígitos',
  digits: 'la cédula solo puede tener dígitos',
  province: 'la cédula no empieza con un código de provincia válido (01–24 o 30)',
  'check-digit': 'el dígito verificador de la cédula no es correcto',
};

class RowProblem extends Error {}

function cedulaField(value: string): string {
  const check = checkCedula(value);
  if (!check.ok) throw new RowProblem(CEDULA_REASONS[check.problem]);
  return check.cedula;
}

/** U+FFFD is what a lenient decoder leaves for bytes it could not read: the value was mangled upstream. */
function refuseReplacementCharacter(name: string, value: string): void {
  if (value.includes('\uFFFD')) throw new RowProblem(`${name} contiene el carácter de reemplazo «\uFFFD» (U+FFFD): el dato pasó por una codificación que no era UTF-8; corríjalo en el origen`);
}

function textField(name: string, value: string, maxLength = 200): string {
  if (value.length === 0) throw new RowProblem(`${name} está vacío`);
  if (value.length > maxLength) throw new RowProblem(`${name} supera ${maxLength} caracteres`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new RowProblem(`${name} contiene caracteres de control`);
  refuseReplacementCharacter(name, value);
  return value.normalize('NFC');
}

/** A real calendar date `YYYY-MM-DD` between 1900 and today. */
export function isCalendarDate(value: string, today: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real && year >= 1900 && value <= today;
}

function dateField(name: string, value: string, today: string): string {
  if (!isCalendarDate(value, today)) throw new RowProblem(`${name} no es una fecha AAAA-MM-DD válida y pasada (recibido "${value.slice(0, 20)}")`);
  return value;
}

function emailField(value: string): string | null {
  if (value === '') return null;
  refuseReplacementCharacter('correo', value);
  if (value.length > 254 || !/^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/.test(value)) throw new RowProblem('correo no es una dirección válida');
  return value.toLowerCase();
}

/** Accepts a mobile as 09 plus 8 digits or +593 9 plus 8 digits, and stores E.164, as the SMS gateway expects. */
function phoneField(value: string): string | null {
  const compact = value.replace(/[\s-]/g, '');
  if (compact === '') return null;
  const match = /^(?:\+593|0)(9\d{8})$/.exec(compact);
  if (!match) throw new RowProblem('celular debe ser un móvil ecuatoriano (por ejemplo 0991234567 o +593991234567)');
  return `+593${match[1]}`;
}

function yesNoField(value: string): boolean {
  const normal = value.toLowerCase();
  if (normal === 'si' || normal === 'sí') return true;
  if (normal === 'no') return false;
  throw new RowProblem('datos_verificados debe ser "si" o "no"');
}

function rucField(value: string): string {
  if (!/^\d{13}$/.test(value)) throw new RowProblem('ruc_empleador debe tener 13 dígitos');
  return value;
}

function guard<T>(build: () => T): RowResult<T> {
  try {
    return { ok: true, record: build() };
  } catch (error) {
    if (error instanceof RowProblem) return { ok: false, reason: error.message };
    throw error;
  }
}

/** `fields` are keyed by column name; `today` is `YYYY-MM-DD`. */
export function parseAffiliateRow(fields: Record<string, string>, today: string): RowResult<AffiliateRecord> {
  return guard(() => ({
    cedula: cedulaField(fields.cedula ?? ''),
    nombres: textField('nombres', fields.nombres ?? ''),
    apellidos: textField('apellidos', fields.apellidos ?? ''),
    fechaNacimiento: dateField('fecha_nacimiento', fields.fecha_nacimiento ?? '', today),
    correo: emailField(fields.correo ?? ''),
    celular: phoneField(fields.celular ?? ''),
    datosVerificados: yesNoField(fields.datos_verificados ?? ''),
  }));
}

export function parseEmploymentRow(fields: Record<string, string>, today: string): RowResult<EmploymentRecord> {
  return guard(() => {
    const fechaInicio = dateField('fecha_inicio', fields.fecha_inicio ?? '', today);
    const fechaFin = fields.fecha_fin ? dateField('fecha_fin', fields.fecha_fin, today) : null;
    if (fechaFin !== null && fechaFin < fechaInicio) throw new RowProblem('fecha_fin es anterior a fecha_inicio');
    return {
      cedula: cedulaField(fields.cedula ?? ''),
      rucEmpleador: rucField(fields.ruc_empleador ?? ''),
      empleador: textField('empleador', fields.empleador ?? ''),
      fechaInicio,
      fechaFin,
    };
  });
}
