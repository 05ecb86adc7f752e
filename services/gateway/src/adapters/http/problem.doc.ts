import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Problem } from '@tether/service-kit';

/** RFC 9457 problem details as every error of the API is answered (`application/problem+json`). */
export class ProblemDoc implements Problem {
  @ApiProperty({ example: 'https://tether.dev/problems/not_found' }) type!: string;
  @ApiProperty({ example: 'Not Found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty({ example: 'approval apr_01JD… not found' }) detail!: string;
  @ApiPropertyOptional({ example: '/v1/approvals/apr_01JD…' }) instance?: string;
  @ApiProperty({
    description:
      'validation_failed, bad_request, unauthorized, forbidden, not_found, illegal_state, payload_too_large, rate_limited, service_unavailable, internal, …',
    example: 'not_found',
  })
  code!: string;
  @ApiPropertyOptional({ type: [String], description: 'Every problem of a refused body or query.' })
  problems?: string[];
}

/** Documents the problem answers a handler gives, by status. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ApiExtraModels(ProblemDoc),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_CODES[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDoc) } } },
      }),
    ),
  );
}
