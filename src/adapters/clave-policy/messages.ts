import type { PasswordCheck, PasswordPolicySettings, PersonalData } from '../../domain/password-policy.ts';

export interface PolicyRequest {
  id: number;
  password: string;
  confirmation: string;
  personal: PersonalData;
  settings: PasswordPolicySettings;
}

export type PolicyReply = { id: number; check: PasswordCheck } | { id: number; error: string };
