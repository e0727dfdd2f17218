export * from './binary';
export * from './client';
export * from './jsonRpc';
export * from './process';
export * from './schemas';
