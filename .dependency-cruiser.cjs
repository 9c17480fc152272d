// No import cycles (`npm run lint:cycles`, part of `npm run lint`). Two modules that import each
// other are one module in two files: neither can change alone, and at run time their load order
// decides what is still undefined. Type-only imports count too (ESLint's import rules skip them),
// since a type cycle is the same knot in the design. Packages cannot form a cycle among themselves:
// `tsc -b` refuses circular project references, so workspace imports are not followed here.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'This module is part of an import cycle: move what both sides need into a third module, or pass it in.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: ['node_modules', '(^|/)dist/'] },
    exclude: { path: ['(^|/)node_modules/', '(^|/)dist/', '(^|/)build/', '(^|/)\\.plasmo/', '(^|/)coverage/'] },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'] },
  },
};
