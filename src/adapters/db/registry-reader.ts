import type { EmploymentFact } from '../../domain/knowledge-questions.ts';
import type { AffiliateProfile, IdentityRecord, RecoveryStores } from '../../services/recovery-ports.ts';
import type { Sql } from './database.ts';
import { samplesColumn, toSamples, type SampleRow } from './employer-samples.ts';

// What the recovery journeys read of the registry: an affiliate, and everything a flow's questions are built from.

export interface AffiliateRow {
  a_cedula: string | null;
  nombres: string;
  apellidos: string;
  fecha_nacimiento: string;
  correo: string | null;
  celular: string | null;
  datos_verificados: boolean;
}

export const AFFILIATE_COLUMNS = 'a.cedula AS a_cedula, a.nombres, a.apellidos, a.fecha_nacimiento, a.correo, a.celular, a.datos_verificados';

/** The affiliate of a row joined with `affiliates a`; undefined when the join found none. */
export const toAffiliate = (row: AffiliateRow): AffiliateProfile | undefined =>
  row.a_cedula === null
    ? undefined
    : {
        cedula: row.a_cedula,
        nombres: row.nombres,
        apellidos: row.apellidos,
        fechaNacimiento: row.fecha_nacimiento,
        correo: row.correo,
        celular: row.celular,
        datosVerificados: row.datos_verificados,
      };

interface IdentityRow extends AffiliateRow {
  history: EmploymentFact[];
  samples: SampleRow[] | null;
}

/**
 * Everything the questions are built from, for the cédula in $1 and the sample points in
 * $2, unless the CAPTCHA of hash $3 was used already: a replay then costs no more than an
 * index probe (a CASE branch not taken is not run). Employers are named as the employers
 * table spells them, like every distractor: a spelling of the employment row's own would
 * only ever be a right answer.
 */
const IDENTITY_SQL = `SELECT s.replayed, ${AFFILIATE_COLUMNS},
    CASE WHEN NOT s.replayed THEN
      COALESCE((SELECT json_agg(json_build_object('rucEmpleador', e.ruc_empleador, 'empleador', COALESCE(emp.empleador, e.empleador), 'fechaInicio', e.fecha_inicio, 'fechaFin', e.fecha_fin) ORDER BY e.fecha_inicio)
                FROM employment e LEFT JOIN employers emp ON emp.ruc_empleador = e.ruc_empleador WHERE e.cedula = s.cedula), '[]'::json) END AS history,
    CASE WHEN NOT s.replayed THEN ${samplesColumn('$2')} END AS samples
  FROM (SELECT $1::text AS cedula, EXISTS (SELECT 1 FROM captcha_uses WHERE challenge_hash = $3) AS replayed) s
  LEFT JOIN affiliates a ON a.cedula = s.cedula`;

const toIdentity = (row: IdentityRow): IdentityRecord => ({ affiliate: toAffiliate(row), history: row.history, samples: toSamples(row.samples) });

export function registryReader(db: Sql): RecoveryStores['registry'] {
  return {
    async affiliate(cedula) {
      const [row] = await db.query<AffiliateRow>(`SELECT ${AFFILIATE_COLUMNS} FROM affiliates a WHERE a.cedula = $1`, [cedula]);
      return row && toAffiliate(row);
    },
    async identity(cedula, points, captchaHash) {
      const [row] = await db.query<IdentityRow & { replayed: boolean }>(IDENTITY_SQL, [cedula, points.map(String), captchaHash]);
      return row!.replayed ? undefined : toIdentity(row!);
    },
  };
}
