import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { approvalService } from './approval.module';
import { loadConfig } from './config';

void runService(() => approvalService(loadConfig()));
