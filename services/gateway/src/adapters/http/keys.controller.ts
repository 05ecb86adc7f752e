import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  Param,
  Post,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { ApiKeyRegistry, type Caller } from '../../application/api-key.registry';
import {
  ApiKeyList,
  ApiKeyView,
  CreateKeyBody,
  CreatedApiKey,
  KEY_ID_PATTERN,
} from '../../application/api-key.requests';
import { Role } from '../../domain/roles';
import { ApiKeyGuard } from './api-key.guard';
import { CurrentCaller, Roles } from './caller.decorator';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.doc';
import { requestPipe } from './request.pipe';

class KeyParams {
  @ApiProperty({ example: 'key_01JDQ7ZK3V9W2M4N6P8R0T2V4X' })
  @Matches(KEY_ID_PATTERN, { message: 'keyId must be "key_" and a ULID' })
  keyId!: string;
}

/** The keys of the caller's tenant, for its admins. */
@ApiTags('keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblems(401, 403, 429)
@Controller('v1/keys')
@UseGuards(ApiKeyGuard, KeyThrottlerGuard)
@UsePipes(requestPipe)
@Roles(Role.Admin)
export class KeysController {
  constructor(private readonly keys: ApiKeyRegistry) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a key; the answer is the only time the clear key is shown' })
  @ApiCreatedResponse({ type: CreatedApiKey })
  @ApiProblems(400, 413)
  create(@CurrentCaller() caller: Caller, @Body() body: CreateKeyBody) {
    return this.keys.create(caller.tenantId, body, caller.keyId);
  }

  @Get()
  @ApiOperation({ summary: "List the tenant's keys (never the keys themselves)" })
  @ApiOkResponse({ type: ApiKeyList })
  async list(@CurrentCaller() caller: Caller): Promise<ApiKeyList> {
    return { items: await this.keys.list(caller.tenantId) };
  }

  @Delete(':keyId')
  @ApiOperation({ summary: 'Revoke a key at once (revoking it again changes nothing)' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiProblems(400, 404)
  revoke(@CurrentCaller() caller: Caller, @Param() { keyId }: KeyParams) {
    return this.keys.revoke(keyId, { tenantId: caller.tenantId, revokedBy: caller.keyId });
  }
}
