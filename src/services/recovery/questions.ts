import { samplePoints, splitSamples } from '../../domain/kba-draws.ts';
import { decoyHistory } from '../../domain/decoy-history.ts';
import { buildQuestions, type QuestionSet } from '../../domain/knowledge-questions.ts';
import type { FlowKind } from '../../domain/flow.ts';
import type { AffiliateProfile } from '../recovery-ports.ts';
import type { RecoveryContext } from './context.ts';

/** Online journeys need contact data verified in person and an address to send to. */
export function canReceive(affiliate: AffiliateProfile | undefined): affiliate is AffiliateProfile {
  return affiliate !== undefined && affiliate.datosVerificados && affiliate.correo !== null;
}

const NO_QUESTIONS: QuestionSet = { questions: [], answerKey: {} };

/**
 * The questions a new flow asks about a cédula, with their answer key, from one read of
 * the registry. Unknown and unverified cédulas get the same generator run on a decoy
 * history, so the page looks the same and takes the same work. Undefined when the flow's
 * CAPTCHA was used already: a replay is refused before that work.
 */
export async function questionsFor(ctx: RecoveryContext, cedula: string, kind: FlowKind, captchaHash: Buffer): Promise<QuestionSet | undefined> {
  // Only a journey without questions, whoever asks, skips the read.
  if (kind === 'unlock' || ctx.limits.kbaQuestions === 0) return NO_QUESTIONS;
  // Read, drawn and built for everyone, real or not: the same statement, the same number
  // of draws and the same decoy, so the time taken does not tell them apart.
  const identity = await ctx.storage.stores.registry.identity(cedula, samplePoints(ctx.secret, cedula), captchaHash);
  if (!identity) return undefined;
  const samples = splitSamples(identity.samples);
  const decoy = decoyHistory(ctx.secret, cedula, samples.decoy);
  return buildQuestions({
    secret: ctx.secret,
    cedula,
    history: canReceive(identity.affiliate) ? identity.history : decoy,
    registrySamples: samples.distractors,
    count: ctx.limits.kbaQuestions,
    referenceYear: ctx.kbaReferenceYear,
  });
}
