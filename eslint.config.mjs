// ESLint, configured once for the whole repository (TypeScript through typescript-eslint).
// Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "sdk/**", "bench/results/**", "**/*.d.ts", "**/.pulumi/**", "**/venv/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Node's globals, for the few plain JavaScript files (TypeScript's own checker covers the rest).
      globals: Object.fromEntries(
        [
          "console",
          "process",
          "Buffer",
          "require",
          "module",
          "__dirname",
          "__filename",
          "URL",
          "fetch",
          "setTimeout",
          "clearTimeout",
          "setInterval",
          "clearInterval",
          "setImmediate",
        ].map((name) => [name, "readonly"]),
      ),
    },
    rules: {
      // Unused names are errors, except those named `_...` on purpose (a position kept by an interface).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
      // CommonJS is this package's module format; require() is used where a lazy load is the point.
      "@typescript-eslint/no-require-imports": "off",
      // Matching control characters is the point wherever this package escapes what a server
      // sent before it reaches a terminal or a log, and where tests prove that it did.
      "no-control-regex": "off",
      // Prettier wraps code at 120; this catches what it leaves alone (comments). Long message
      // texts stay on one line so they can be searched for.
      "max-len": [
        "error",
        { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // Tests and their fixtures parse arbitrary JSON and untyped Pulumi property bags.
    files: ["tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
