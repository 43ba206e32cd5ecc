// `tsc --noEmit -p tsconfig.json` and `eslint .` in one process, sharing the TypeScript
// programs: typed linting otherwise builds and checks the same programs a second time (the
// @pulumi/* type definitions alone are 290k lines). Same compiler options, same eslint.config.js
// and the same verdicts as the two commands (`npm run typecheck`, `npm run lint` still run them
// separately); only the programs eslint takes its types from are handed over. Exit status 1
// when either finds a problem, naming which.
const path = require("path");
const ts = require("typescript");
const { ESLint } = require("eslint");

const ROOT = path.resolve(__dirname, "..");

/** Parsed once for every program: the @pulumi/* and node type definitions are shared. */
const sourceFiles = new Map();

function createProgram(tsconfig) {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, tsconfig),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  const host = ts.createCompilerHost(parsed.options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    // Only files both programs read the same way: declaration files under node_modules.
    if (!fileName.includes("/node_modules/") || !fileName.endsWith(".d.ts")) {
      return getSourceFile(fileName, languageVersion, ...rest);
    }
    const key = `${JSON.stringify(languageVersion)}:${fileName}`;
    if (!sourceFiles.has(key))
      sourceFiles.set(key, getSourceFile(fileName, languageVersion, ...rest));
    return sourceFiles.get(key);
  };
  return ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    host,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
  });
}

function typecheck(program) {
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length === 0) return true;
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  const format = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, host));
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).length;
  process.stdout.write(`\nFound ${errors} error${errors === 1 ? "" : "s"}.\n`);
  return errors === 0;
}

async function lint(programs) {
  const eslint = new ESLint({
    cwd: ROOT,
    // What the project service would pick for each file: the nearest tsconfig.json (so
    // policy/ is linted with policy/tsconfig.json's types, as an editor would).
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false, programs } },
    },
  });
  const results = await eslint.lintFiles(["."]);
  const formatter = await eslint.loadFormatter("stylish");
  const text = await formatter.format(results);
  if (text) process.stdout.write(text);
  return results.every((r) => r.errorCount === 0 && r.fatalErrorCount === 0);
}

async function main() {
  const root = createProgram("tsconfig.json");
  const policy = createProgram("policy/tsconfig.json");
  let ok = true;
  if (!typecheck(root)) {
    console.error("typecheck-and-lint: typecheck (tsc -p tsconfig.json) failed");
    ok = false;
  }
  if (!(await lint([policy, root]))) {
    console.error("typecheck-and-lint: lint (eslint .) failed");
    ok = false;
  }
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
