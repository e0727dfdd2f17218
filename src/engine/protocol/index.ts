export * from './session';
export * from './messages';
export * from './parse';
export * from './client';
