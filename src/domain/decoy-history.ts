import { cleanName, Draws, keyed, nameKey, type RegistrySample } from './kba-draws.ts';
import { compareFacts, ISO_DATE, type EmploymentFact } from './knowledge-questions.ts';

/** Roughly how many jobs people in the registry have: 0 to 4, sometimes none. */
const JOB_COUNT_WEIGHTS = [15, 30, 25, 18, 12] as const;

function jobCount(draws: Draws): number {
  let roll = draws.below(JOB_COUNT_WEIGHTS.reduce((a, b) => a + b, 0));
  for (let jobs = 0; jobs < JOB_COUNT_WEIGHTS.length; jobs++) {
    roll -= JOB_COUNT_WEIGHTS[jobs]!;
    if (roll < 0) return jobs;
  }
  return 0;
}

/**
 * The sampled rows a decoy may take as jobs, in draw order: each names a registry employer
 * not taken yet and starts on a date no other taken job starts on (so every job can end
 * before the next starts without moving a start).
 */
function sampledJobs(samples: readonly RegistrySample[]): EmploymentFact[] {
  const names = new Set<string>();
  const starts = new Set<string>();
  const jobs: EmploymentFact[] = [];
  for (const row of samples) {
    if (row === null || !ISO_DATE.test(row.fechaInicio)) continue;
    const empleador = cleanName(row.empleador);
    if (empleador === '' || names.has(nameKey(empleador)) || starts.has(row.fechaInicio)) continue;
    names.add(nameKey(empleador));
    starts.add(row.fechaInicio);
    jobs.push({ ...row, empleador });
  }
  return jobs;
}

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** A job's sampled end, moved back to the day before the next job starts if it ran on past it. */
function endBefore(fechaFin: string | null, next: EmploymentFact | undefined): string | null {
  if (next === undefined || (fechaFin !== null && fechaFin < next.fechaInicio)) return fechaFin;
  return dayBefore(next.fechaInicio);
}

/**
 * A plausible history for a cédula that must not be told apart from a real one: 0–4 of
 * the employment rows sampled from the registry at the decoy's points (`samplePoints`),
 * with their employers and start dates, one after another. Its employers and years
 * therefore spread as real people's jobs do, however far back or recent (a fixed window
 * of years would leave every year outside it to real people). Never a made-up employer:
 * a registry with fewer distinct employers gives fewer jobs, an empty one none, as some
 * real people have. Only the secret, the cédula and the registry decide it, so it is the
 * same on every visit, whatever the date.
 */
export function decoyHistory(secret: string, cedula: string, samples: readonly RegistrySample[]): EmploymentFact[] {
  const jobs = sampledJobs(samples).slice(0, jobCount(new Draws(keyed(secret, 'decoy', cedula)))).sort(compareFacts);
  return jobs.map((job, i) => ({ ...job, fechaFin: endBefore(job.fechaFin, jobs[i + 1]) }));
}
