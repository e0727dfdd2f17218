export * from './session';
export * from './messages';
export * from './usage';
export * from './parse';
export * from './client';
export * from './requests';
export * from './uiPolicy';
export * from './searchInput';
