export * from './cli.runner';
export * from './cli.config';
export * from './cli.errors';
export * from './argv.parser';
export * from './event.formatter';
export * from './help.text';
