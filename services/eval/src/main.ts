import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { loadConfig } from './config';
import { evalService } from './eval.module';

void runService(() => evalService(loadConfig()));
