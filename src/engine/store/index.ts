export * from './db';
export * from './driver';
export * from './types';
export * from './sqliteStore';
export * from './migrations';
export * from './writer';
