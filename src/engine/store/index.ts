export * from './db';
export * from './types';
export * from './sqliteStore';
export * from './migrations';
export * from './writer';
