import { samplePoints, splitSamples } from '../../domain/kba-draws.ts';
import { decoyHistory } from '../../domain/decoy-history.ts';
import { buildQuestions, type QuestionSet } from '../../domain/knowledge-questions.ts';
import type { FlowKind } from '../../domain/flow.ts';
import type { AffiliateProfile, IdentityRecord } from '../recovery-ports.ts';
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
 * The questions for a cédula, from what the store read about it. Unknown and unverified
 * cédulas get the same generator run on a decoy history, so the page looks the same and
 * takes the same work.
 */
export async function identitySubject(ctx: RecoveryContext, identity: IdentityRecord, cedula: string, kind: FlowKind): Promise<IdentitySubject> {
  const affiliate = canReceive(identity.affiliate) ? identity.affiliate : undefined;
  const count = kind === 'unlock' ? 0 : ctx.limits.kbaQuestions;
  // Drawn and built for everyone, real or not: the same query, the same number of draws
  // and the same decoy, so the time taken does not tell them apart. Only a journey without
  // questions, whoever asks, skips the query.
  const samples = splitSamples(count === 0 ? [] : await ctx.storage.stores.registry.employerSamples(samplePoints(ctx.secret, cedula)));
  const decoy = decoyHistory(ctx.secret, cedula, samples.decoy);
  const questions = buildQuestions({
    secret: ctx.secret,
    cedula,
    history: affiliate ? identity.history : decoy,
    registrySamples: samples.distractors,
    count,
    referenceYear: ctx.kbaReferenceYear,
  });
  return { affiliate, questions };
}
