import { buildQuestions, decoyHistory, type QuestionSet } from '../../domain/knowledge-questions.ts';
import type { FlowKind } from '../../domain/flow.ts';
import type { AffiliateProfile, RecoveryStores } from '../recovery-ports.ts';
import type { RecoveryContext } from './context.ts';

export interface IdentitySubject {
  /** Present only when the cédula is registered with verified contact data: the only case anything is sent. */
  affiliate: AffiliateProfile | undefined;
  questions: QuestionSet;
}

/** Online journeys need contact data verified in person and an address to send to. */
export function canReceive(affiliate: AffiliateProfile | undefined): affiliate is AffiliateProfile {
  return affiliate !== undefined && affiliate.datosVerificados && affiliate.correo !== null;
}

/**
 * The questions for a cédula. Unknown and unverified cédulas get the same generator run
 * on a decoy history, so the page looks the same and takes the same work.
 */
export async function identitySubject(ctx: RecoveryContext, stores: RecoveryStores, cedula: string, kind: FlowKind): Promise<IdentitySubject> {
  const [found, history, pool, account] = await Promise.all([
    stores.registry.affiliate(cedula),
    stores.registry.history(cedula),
    stores.registry.employerPool(),
    stores.accounts.find(cedula),
  ]);
  const affiliate = canReceive(found) ? found : undefined;
  const currentYear = ctx.clock().getUTCFullYear();
  // The decoy is built for everyone, real or not, so the time taken does not tell them apart.
  const decoy = decoyHistory(ctx.secret, cedula, pool, currentYear);
  const questions = buildQuestions({
    secret: ctx.secret,
    cedula,
    epoch: account?.kbaEpoch ?? 0,
    history: affiliate ? history : decoy,
    employerPool: pool,
    count: kind === 'unlock' ? 0 : ctx.limits.kbaQuestions,
    currentYear,
  });
  return { affiliate, questions };
}
