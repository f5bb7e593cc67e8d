// A worker thread starts without the main thread's TypeScript loader: register tsx, then
// load the checker (the same way bin/clave.js starts the CLI).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
