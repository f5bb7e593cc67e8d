import type { PasswordCheck, PasswordPolicySettings, PersonalData } from '../../domain/password-policy.ts';

export interface PolicyRequest {
  id: number;
  password: string;
  confirmation: string;
  personal: PersonalData;
  settings: PasswordPolicySettings;
}

export type PolicyReply = { id: number; check: PasswordCheck } | { id: number; error: string };

/** What a thread sends once it has loaded the dictionaries and can check in its normal time. */
export interface PolicyReady {
  ready: true;
}
