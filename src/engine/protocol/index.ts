export * from './session';
export * from './messages';
export * from './parse';
export * from './client';
export * from './uiPolicy';
