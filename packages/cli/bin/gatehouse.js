#!/usr/bin/env node
// The `gatehouse` bin. It lives outside dist/ so that npm can link it on install, before the first build;
// the command itself is dist/bin.js (also runnable directly: node dist/bin.js).
import('../dist/bin.js').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    process.stderr.write('gatehouse is not built yet: run `npm run build` in the repository first.\n');
    process.exit(1);
  }
  throw err;
});
