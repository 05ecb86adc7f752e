import 'reflect-metadata';
import { runService } from '@tether/service-kit';
import { loadConfig } from './config';
import { gatewayService } from './gateway.module';

void runService(() => gatewayService(loadConfig()));
