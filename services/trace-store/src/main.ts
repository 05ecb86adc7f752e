import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { loadConfig } from './config';
import { traceStoreService } from './trace-store.module';

void runService(() => traceStoreService(loadConfig()));
