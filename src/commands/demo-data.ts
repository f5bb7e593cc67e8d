import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { demoAffiliatesCsv, demoEmploymentCsv } from '../adapters/registry/demo-registry.ts';

export const DEMO_FILES = { affiliates: 'afiliados.csv', employment: 'empleos.csv' } as const;

/** `clave demo-data --affiliates N --out DIR`: the synthetic registry as two CSV files. */
export async function writeDemoData(count: number, outDir: string): Promise<{ affiliates: string; employment: string }> {
  await mkdir(outDir, { recursive: true });
  const affiliates = join(outDir, DEMO_FILES.affiliates);
  const employment = join(outDir, DEMO_FILES.employment);
  await pipeline(Readable.from(demoAffiliatesCsv(count)), createWriteStream(affiliates));
  await pipeline(Readable.from(demoEmploymentCsv(count)), createWriteStream(employment));
  return { affiliates, employment };
}
