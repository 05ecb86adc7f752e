export * from './config';
export * from './logger';
export * from './database';
export * from './tokens';
export * from './health.controller';
export * from './core.module';
export * from './bootstrap';
export * from './error.filter';
