import { cedulaCheckDigit } from '../../domain/cedula.ts';
import type { AffiliateRecord, EmploymentRecord } from '../../domain/registry.ts';
import { AFFILIATE_COLUMNS, EMPLOYMENT_COLUMNS } from '../../domain/registry.ts';
import { EMPLOYERS, FEMALE_NAMES, MALE_NAMES, SURNAMES } from './demo-names.ts';

/**
 * A deterministic synthetic registry: affiliate `i` is always the same person, so the
 * affiliates and employment files can be generated in two independent streaming passes,
 * for 50 people or for millions.
 */
export interface DemoAffiliate {
  affiliate: AffiliateRecord;
  employment: EmploymentRecord[];
}

/** mulberry32: small, fast, and the same on every machine. */
function randomFor(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Distinct for every i below 10⁷ per province: 7919 is coprime with 10⁷. */
function demoCedula(i: number): string {
  const province = pad((i % 24) + 1);
  const body = pad((i * 7_919 + 1_234_567) % 10_000_000, 7);
  const firstNine = province + body;
  return firstNine + cedulaCheckDigit(firstNine);
}

function plain(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

function history(random: () => number, cedula: string, birthYear: number, i: number): EmploymentRecord[] {
  // A few people have never had a registered employer.
  const jobs = i % 12 === 5 ? 0 : between(random, 1, 6);
  const records: EmploymentRecord[] = [];
  let year = birthYear + between(random, 18, 24);
  for (let n = 0; n < jobs && year < 2025; n++) {
    const employer = pick(random, EMPLOYERS);
    const start = `${year}-${pad(between(random, 1, 12))}-01`;
    const endYear = Math.min(2025, year + between(random, 1, 6));
    const current = n === jobs - 1 && random() < 0.6;
    records.push({ cedula, rucEmpleador: employer.ruc, empleador: employer.name, fechaInicio: start, fechaFin: current ? null : `${endYear}-${pad(between(random, 1, 12))}-28` });
    year = endYear + 1;
  }
  return records;
}

export function demoAffiliate(i: number, seed = 2026): DemoAffiliate {
  const random = randomFor(seed * 1_000_003 + i);
  const cedula = demoCedula(i);
  const names = random() < 0.5 ? FEMALE_NAMES : MALE_NAMES;
  const given = [pick(random, names), pick(random, names)];
  const surnames = [pick(random, SURNAMES), pick(random, SURNAMES)];
  const birthYear = between(random, 1955, 2003);
  const affiliate: AffiliateRecord = {
    cedula,
    nombres: given.join(' '),
    apellidos: surnames.join(' '),
    fechaNacimiento: `${birthYear}-${pad(between(random, 1, 12))}-${pad(between(random, 1, 28))}`,
    correo: `${plain(given[0]!)}.${plain(surnames[0]!)}${i}@correo.example`,
    celular: random() < 0.8 ? `09${pad(between(random, 0, 99_999_999), 8)}` : null,
    // Some people never had their contact data verified at an agency.
    datosVerificados: i % 10 !== 7,
  };
  return { affiliate, employment: history(random, cedula, birthYear, i) };
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvLine = (fields: (string | null)[]) => fields.map(csvField).join(',') + '\n';

export function* demoAffiliatesCsv(count: number, seed?: number): Generator<string> {
  yield csvLine([...AFFILIATE_COLUMNS]);
  for (let i = 0; i < count; i++) {
    const { affiliate: a } = demoAffiliate(i, seed);
    yield csvLine([a.cedula, a.nombres, a.apellidos, a.fechaNacimiento, a.correo, a.celular ? a.celular : null, a.datosVerificados ? 'si' : 'no']);
  }
}

export function* demoEmploymentCsv(count: number, seed?: number): Generator<string> {
  yield csvLine([...EMPLOYMENT_COLUMNS]);
  for (let i = 0; i < count; i++) {
    for (const e of demoAffiliate(i, seed).employment) {
      yield csvLine([e.cedula, e.rucEmpleador, e.empleador, e.fechaInicio, e.fechaFin]);
    }
  }
}

/** A valid cédula that the demo registry does not hold: a stranger's, for whom nothing is sent. */
export const NOT_IN_DEMO_REGISTRY = '1710034065';

/** The first demo person whose contact data was never verified at an agency: nothing can be sent to them (CLV-012). */
export function unverifiedAffiliate(count: number, seed?: number): DemoAffiliate | undefined {
  for (let i = 0; i < count; i++) {
    const candidate = demoAffiliate(i, seed);
    if (!candidate.affiliate.datosVerificados) return candidate;
  }
  return undefined;
}

/** The first people a newcomer can try every journey with: verified contact, two or more employers. */
export function showcaseAffiliates(count: number, seed?: number): DemoAffiliate[] {
  const chosen: DemoAffiliate[] = [];
  for (let i = 0; chosen.length < 3 && i < count; i++) {
    const candidate = demoAffiliate(i, seed);
    if (candidate.affiliate.datosVerificados && candidate.employment.length >= 2) chosen.push(candidate);
  }
  return chosen;
}
