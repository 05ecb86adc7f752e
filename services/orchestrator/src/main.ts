import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { loadConfig } from './config';
import { orchestratorService } from './orchestrator.module';

void runService(() => orchestratorService(loadConfig()));
