import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(`${root}/dist/index.js`) && existsSync(`${root}/dist/index.cjs`);

// The built package installed alone (with its dependency and required peer) in a folder where the optional peer
// @cedar-policy/cedar-wasm cannot be resolved, as in a service that never installed it.
describe.skipIf(!built)(
  'Cedar backend without @cedar-policy/cedar-wasm installed (run `npm run build` first)',
  () => {
    const app = mkdtempSync(join(tmpdir(), 'gatehouse-no-cedar-'));
    afterAll(() => rmSync(app, { recursive: true, force: true }));
    const core = join(app, 'node_modules/@gatehouse/core');
    mkdirSync(core, { recursive: true });
    cpSync(join(root, 'dist'), join(core, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(core, 'package.json'));
    // Its dependency and its required peer, as npm installs them.
    for (const name of ['lru-cache', '@opentelemetry/api']) {
      let dir = dirname(createRequire(join(root, 'package.json')).resolve(name));
      while (!dir.endsWith(`node_modules/${name}`)) dir = dirname(dir);
      mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
      symlinkSync(dir, join(app, 'node_modules', name));
    }
    writeFileSync(join(app, 'p.cedar'), 'permit (principal, action, resource);');

    const start = (args: string[]) => {
      try {
        execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stderr: string }).stderr);
      }
    };

    it.each([
      [
        'require (CommonJS)',
        ['-e', "require('@gatehouse/core').createAuthorizer({ backend: 'cedar', policies: 'p.cedar' })"],
      ],
      [
        'import (ESM)',
        [
          '--input-type=module',
          '-e',
          "import { createAuthorizer } from '@gatehouse/core'; createAuthorizer({ backend: 'cedar', policies: 'p.cedar' })",
        ],
      ],
    ])('stops start-up naming the package to install, through %s', (_how, args) => {
      const stderr = start(args);
      expect(stderr).toContain('ConfigError');
      expect(stderr).toContain(
        '"authz.policies" the Cedar backend needs the package @cedar-policy/cedar-wasm',
      );
      expect(stderr).toContain('npm install @cedar-policy/cedar-wasm');
    });

    it('starts with the rules backend, which needs nothing more', () => {
      expect(
        start(['-e', "require('@gatehouse/core').createAuthorizer({ backend: 'rules', rules: [] })"]),
      ).toBe('');
    });
  },
);
