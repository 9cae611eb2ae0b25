#!/usr/bin/env node
// Type-checks the TypeScript snippets of the package and app READMEs, so documentation cannot rot.
// Every ```ts block is compiled as its own module against the built workspace packages; a block whose
// info string is `ts fragment` is illustrative and skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.snippets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

const readmes = ['README.md'];
for (const folder of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, folder))) {
    if (existsSync(join(root, folder, name, 'README.md'))) readmes.push(join(folder, name, 'README.md'));
  }
}

const files = [];
for (const readme of readmes) {
  const text = readFileSync(join(root, readme), 'utf8');
  let index = 0;
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const file = join(out, `${readme.replace(/[/.]/g, '_')}_${index++}.ts`);
    // Each snippet is a module of its own (so top-level names do not clash).
    writeFileSync(file, `${match[1]}\nexport {};\n`);
    files.push(file);
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  }),
);
try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
    stdio: 'inherit',
  });
  console.log(`README snippets: ${files.length} type-checked`);
} catch {
  console.error('README snippets do not type-check (files in .snippets/)');
  process.exit(1);
}
