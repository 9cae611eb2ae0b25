/** `npm start -w apps/dev-idp`: the development identity provider as a process. */
import { runDevIdpServer } from './run-server.js';

await runDevIdpServer({
  env: process.env,
  log: (line) => console.log(line),
  error: (line) => console.error(line),
  exit: (code) => process.exit(code),
  onSignal: (signal, handler) => process.on(signal, handler),
});
