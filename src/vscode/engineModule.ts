// Loads the engine bundle (src/engineBundle.ts → dist/engine.js) on first use. activate() never calls
// this synchronously: the require happens after activation returned, so the window's activation cost
// is only the small vscode-side bundle. esbuild.mjs maps this require to the separate bundle.
export type EngineModule = typeof import('../engineBundle');

let loaded: EngineModule | undefined;

export function engineModule(): EngineModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('../engineBundle') as EngineModule;
  return loaded;
}

/** Errors thrown in the engine bundle are instances of its own classes: tell them apart by name. */
export function isErrorNamed(e: unknown, name: string): e is Error & { code?: string } {
  return e instanceof Error && e.name === name;
}
