import type { Limits } from '../../config.ts';
import type { Clock, RecoveryStorage } from '../recovery-ports.ts';
import type { CaptchaService, ClavePolicy, MailRenderer, PasswordHasher, Throttle } from '../journey-ports.ts';

/** Everything the recovery use cases need, handed in by the composition root. */
export interface RecoveryContext {
  storage: RecoveryStorage;
  captcha: CaptchaService;
  hasher: PasswordHasher;
  policy: ClavePolicy;
  renderer: MailRenderer;
  throttle: Throttle;
  /** Whether security notices also go by SMS to a registered phone. */
  smsEnabled: boolean;
  clock: Clock;
  secret: string;
  /** Knowledge-question years are anchored to it, never to the clock (reference-year.ts). */
  kbaReferenceYear: number;
  limits: Limits;
  publicUrl: URL;
  instituteName: string;
  /** Called after a commit that queued mail, so a worker can send it without waiting for its next poll. */
  onMailQueued?: () => void;
  /** Work that continues after the answer was sent (the identity evaluation). */
  background: BackgroundWork;
}

/** Tracks work that outlives its request, so shutdown and tests can wait for it. */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  run(work: () => Promise<void>): void {
    const task = work()
      .catch(this.onError)
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}

/** Where a person stands when they act: kept in the audit trail. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
  /** Aborts when the client hangs up before it is answered; work still waiting is dropped. */
  hangUp?: AbortSignal;
}

export function later(now: Date, ms: number): Date {
  return new Date(now.getTime() + ms);
}
