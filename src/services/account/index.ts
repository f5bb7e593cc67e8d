import type { ClientInfo, RecoveryContext } from '../recovery/context.ts';
import type { LoginStore } from './login-ports.ts';
import { login } from './login.ts';
import { accountView, changeClave, checkTypedClave, endOtherSessions, endSession, logout, resumeSession, type ActiveSession, type ClaveChange } from './my-account.ts';

export type { ActiveSession } from './my-account.ts';
export { refreshDummyLayout } from './dummy-layout.ts';

/** Ingresar and Mi cuenta. */
export function createAccountService(ctx: RecoveryContext, logins: LoginStore) {
  return {
    login: (cedula: unknown, password: unknown, client: ClientInfo) => login(ctx, logins, cedula, password, client),
    resumeSession: (token: unknown) => resumeSession(ctx, token),
    view: (active: ActiveSession) => accountView(ctx, active),
    changeClave: (active: ActiveSession, change: ClaveChange, client: ClientInfo, locale: 'es' | 'en') => changeClave(ctx, logins, active, change, client, locale),
    checkTypedClave: (active: ActiveSession, password: unknown, client: ClientInfo) => checkTypedClave(ctx, active, password, client),
    endOtherSessions: (active: ActiveSession) => endOtherSessions(ctx, active),
    logout: (active: ActiveSession) => logout(ctx, active),
    endSession: (token: unknown) => endSession(ctx, token),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
