import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { budgetService } from './budget.module';
import { loadConfig } from './config';

void runService(() => budgetService(loadConfig()));
