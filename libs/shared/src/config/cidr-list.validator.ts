import { type ValidationArguments, registerDecorator } from 'class-validator';
import { parseCidrList } from '../network/address-policy';

/** Rejects an allow-list variable (WEBHOOK_ALLOWED_CIDRS, WAHA_ALLOWED_CIDRS) that is not a
 *  comma-separated list of CIDRs or addresses. */
export function IsCidrList(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCidrList',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => {
          if (value === undefined) return true;
          try {
            parseCidrList(String(value));
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: (args: ValidationArguments) => {
          try {
            parseCidrList(String(args.value));
          } catch (error) {
            return `${(error as Error).message} (expected comma-separated CIDRs such as 10.1.0.0/16,fd00::/8)`;
          }
          return `${args.property} must be comma-separated CIDRs`;
        },
      },
    });
}
