import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Msg } from 'nats';
import { parseAs, parseJson } from '@tether/contracts';
import { ValidationError } from '@tether/errors';
import { ApiKeyRegistry } from '../../application/api-key.registry';
import {
  CreateTenantKeyRequest,
  ListKeysRequest,
  RevokeKeyRequest,
} from '../../application/api-key.requests';

/**
 * Key management for whoever may publish on `<P>.svc.gateway.keys.>` (restrict it with NATS
 * permissions): how the first admin key of a tenant comes to exist. `tether keys` calls these.
 */
@Controller()
export class KeyAdminController {
  constructor(private readonly keys: ApiKeyRegistry) {}

  @MessagePattern('keys.create')
  create(@Payload() msg: Msg) {
    const req = parse(CreateTenantKeyRequest, msg);
    return this.keys.create(req.tenantId, req, req.createdBy ?? 'nats');
  }

  @MessagePattern('keys.list')
  async list(@Payload() msg: Msg) {
    return { items: await this.keys.list(parse(ListKeysRequest, msg).tenantId) };
  }

  @MessagePattern('keys.revoke')
  revoke(@Payload() msg: Msg) {
    const req = parse(RevokeKeyRequest, msg);
    return this.keys.revoke(req.keyId, { revokedBy: req.revokedBy ?? 'nats' });
  }
}

function parse<T extends object>(cls: new () => T, msg: Msg): T {
  const json = parseJson(msg.data);
  const parsed = json.ok ? parseAs(cls, json.value) : json;
  if (!parsed.ok) throw new ValidationError('invalid key request', parsed.problems);
  return parsed.value;
}
