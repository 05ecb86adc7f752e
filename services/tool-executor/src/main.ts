import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { loadConfig } from './config';
import { toolExecutorService } from './tool-executor.module';

void runService(() => toolExecutorService(loadConfig()));
