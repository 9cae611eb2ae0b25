import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(`${root}/dist/index.js`) && existsSync(`${root}/dist/index.cjs`);

// `npm test` builds first; a bare `vitest` run without a build skips this with a reason.
describe.skipIf(!built)('built package (run `npm run build` first)', () => {
  const run = (args: string[]) =>
    execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

  it('loads with require (CommonJS)', () => {
    const out = run([
      '-e',
      "const g = require('@gatehouse/core'); const p = new g.ApiKeyAuthProvider({ keys: [{ name: 'a', key: 'k1' }] }); p.validateToken('k1').then((c) => console.log(c.subject, typeof g.OidcAuthProvider))",
    ]);
    expect(out).toBe('a function');
  });

  it('loads with import (ESM)', () => {
    const out = run([
      '--input-type=module',
      '-e',
      "import { ApiKeyAuthProvider, OidcAuthProvider } from '@gatehouse/core'; const c = await new ApiKeyAuthProvider({ keys: [{ name: 'b', key: 'k2' }] }).validateToken('k2'); console.log(c.subject, typeof OidcAuthProvider)",
    ]);
    expect(out).toBe('b function');
  });

  it('ships type declarations for both', () => {
    expect(existsSync(`${root}/dist/index.d.ts`) && existsSync(`${root}/dist/index.d.cts`)).toBe(true);
  });
});
