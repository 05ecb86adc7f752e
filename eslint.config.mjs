import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.tether/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['test/timeouts/*.js'], languageOptions: { globals: { ...globals.jest } } },
  // domain/ stays pure: no framework, bus or database imports. So do the small libs any
  // service may take in without them (redaction, webhooks).
  {
    files: [
      '**/domain/**/*.ts',
      'libs/run-domain/src/**/*.ts',
      'libs/redaction/src/**/*.ts',
      'libs/webhooks/src/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'typeorm', 'nats', 'pg'] }],
    },
  },
);
