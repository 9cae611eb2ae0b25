import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // The main entry, the shared-state subpath (what stores such as @gatehouse/redis build on) and its
  // conformance suite.
  entry: {
    index: 'src/index.ts',
    'state/index': 'src/state/index.ts',
    'state/conformance': 'src/state/conformance/index.ts',
  },
  // Shared chunks in both formats: one copy of each class per format, whichever entry loads it.
  splitting: true,
  // `import.meta` is ES module syntax: the CommonJS build loads optional packages with `require`.
  esbuildOptions(options, { format }) {
    if (format === 'cjs')
      options.define = { 'import.meta.url': 'undefined', 'import.meta.resolve': 'undefined' };
  },
});
