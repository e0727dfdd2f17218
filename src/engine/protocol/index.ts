export * from './session';
export * from './messages';
export * from './usage';
export * from './parse';
export * from './client';
export * from './uiPolicy';
export * from './searchInput';
