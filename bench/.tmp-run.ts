import { benchRecoveryFlows } from './.tmp-exp.ts';
await benchRecoveryFlows();
