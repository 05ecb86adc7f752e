import { ValidationPipe, type ValidationError as ClassValidationError } from '@nestjs/common';
import { ValidationError } from '@tether/errors';

/**
 * Bodies, queries and path parameters are validated against their classes: unknown properties
 * are refused, not dropped, and every problem is named. A refusal is `validation_failed`, 400.
 */
export const requestPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new ValidationError('invalid request', problemsOf(errors)),
});

export function problemsOf(errors: ClassValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const here = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(e.property) ? `${path ? `${path}.` : ''}${m}` : `${here}: ${m}`,
    );
    return [...own, ...problemsOf(e.children ?? [], here)];
  });
}
