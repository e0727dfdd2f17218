// The `flightdeck` command line. Each command is its own bundle (dist/cli-<command>.js, see
// esbuild.mjs), loaded when named: `flightdeck import` does not load the engine and hub that
// `serve` needs, which took ~0.15 s of every import's start (the ~1.5 MB bundle parsed, the
// protocol's schemas built).
import { USAGE } from './help';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'usage') return (require('./usage') as typeof import('./usage')).usageCommand(rest);
  if (command === 'import') return (require('./import') as typeof import('./import')).importCommand(rest);
  if (command === 'serve') return (require('./serveCommand') as typeof import('./serveCommand')).serveCommand(rest);
  process.stderr.write(`${USAGE}\n`);
  return command === '--help' || command === '-h' ? 0 : 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { if (code >= 0) process.exit(code); }, e => {
    process.stderr.write(`flightdeck: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
