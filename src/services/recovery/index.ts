import type { ClientInfo, RecoveryContext } from './context.ts';
import { checkDisavowLink, disavowChange } from './disavow.ts';
import { identityPage, identityQuestions } from './flow-view.ts';
import { checkLink, redeemLink, type HeldByBrowser } from './links.ts';
import { checkTypedClave, newClaveSession, setNewPassword } from './set-password.ts';
import { startFlow } from './start-flow.ts';
import { processIdentityOutcomes, submitIdentity } from './submit-identity.ts';

export type { RecoveryContext, ClientInfo } from './context.ts';
export { JourneyError, type NextStep, type RefusalDetails } from './journey-error.ts';
export type { ResetSessionView } from './set-password.ts';
export { IdentityFormError } from './submit-identity.ts';

/** Generar, Recuperar and Desbloquear clave: one set of use cases for pages and the API. */
export function createRecoveryService(ctx: RecoveryContext) {
  return {
    captchaChallenge: () => ctx.captcha.challenge(),
    startFlow: (input: Parameters<typeof startFlow>[1]) => startFlow(ctx, input),
    identityQuestions: (flowId: string) => identityQuestions(ctx, flowId),
    identityPage: (flowId: string) => identityPage(ctx, flowId),
    submitIdentity: (...args: Parameters<typeof submitIdentity> extends [unknown, ...infer Rest] ? Rest : never) => submitIdentity(ctx, ...args),
    checkLink: (token: unknown, held?: HeldByBrowser) => checkLink(ctx, token, held),
    redeemLink: (token: unknown, client: Parameters<typeof redeemLink>[2]) => redeemLink(ctx, token, client),
    setNewPassword: (...args: Parameters<typeof setNewPassword> extends [unknown, ...infer Rest] ? Rest : never) => setNewPassword(ctx, ...args),
    newClaveSession: (flowId: string, resetToken: unknown) => newClaveSession(ctx, flowId, resetToken),
    checkTypedClave: (flowId: string, resetToken: unknown, password: unknown, client: ClientInfo) => checkTypedClave(ctx, flowId, resetToken, password, client),
    checkDisavowLink: (token: unknown) => checkDisavowLink(ctx, token),
    disavowChange: (token: unknown, client: Parameters<typeof disavowChange>[2]) => disavowChange(ctx, token, client),
    /** Follows up identity verdicts left by any instance (for example one that crashed). */
    processIdentityOutcomes: () => processIdentityOutcomes(ctx),
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
