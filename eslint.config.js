// Lint that guards what reviews keep missing: promises nobody awaits or catches, async functions
// handed to callbacks that ignore their rejection, console output from library code, and import
// cycles. Type-aware (typescript-eslint's project service reads tsconfig.json).
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/**', 'bench-results/**', '.gridworker/**', 'dist/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      // Imports name their .ts files; import-x must parse them to follow cycles.
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver': { node: { extensions: ['.ts', '.js'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Tests and command-line entry points may talk to the terminal.
    files: ['**/*.test.ts', 'scripts/**/*.ts', 'test-fixtures/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
