// `npm run bench`: every benchmark, one after the other. Figures are printed as
// rates and as ratios to a baseline measured in the same run, never asserted.
import { benchImport } from './import.ts';
import { benchIdentityTiming } from './identity-timing.ts';
import { benchRecoveryFlows } from './recovery.ts';
import { benchLogin } from './login.ts';
import { benchLoginTiming } from './login-timing.ts';
import { benchRetention } from './retention.ts';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = {
  import: benchImport,
  'identity-timing': benchIdentityTiming,
  'recovery-flows': benchRecoveryFlows,
  login: benchLogin,
  'login-timing': benchLoginTiming,
  retention: benchRetention,
};

if (only && !(only in benches)) throw new Error(`unknown bench "${only}"; one of: ${Object.keys(benches).join(', ')}`);
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
